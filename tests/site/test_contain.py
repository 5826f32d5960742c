"""An article's HTML stays in its box: open elements closed, stray end tags dropped."""

import pytest

from newsvault.site.contain import balanced


@pytest.mark.parametrize("html, expected", [
    ("<p>fine</p><div><b>also</b></div>", "<p>fine</p><div><b>also</b></div>"),
    ("<div><table><tr><td>cell <b>bold", "<div><table><tr><td>cell <b>bold</b></td></tr></table></div>"),
    ('<a href="https://x.example/">a link that never ends', '<a href="https://x.example/">a link that never ends</a>'),
    ("text</div></main></body> more", "text more"),
    ("<h1>big", "<h1>big</h1>"),
    ("<p>one<p>two<li>three", "<p>one<p>two<li>three"),  # the browser closes these itself
    ("<img src=x><br/><hr>", "<img src=x><br/><hr>"),
    ("<script>if (a<b) {}</script><i>x", "<script>if (a<b) {}</script><i>x</i>"),
    ("<!-- <div> --><em>x", "<!-- <div> --><em>x</em>"),
    ("<DIV>shouting</div>", "<DIV>shouting</div>"),
    ("", ""),
    ("no tags at all", "no tags at all"),
])
def test_balanced(html, expected):
    assert balanced(html) == expected
