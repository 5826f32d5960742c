"""An article's HTML stays in its box: the clean HTML the site shows (content/sanitize.py)
closes what the source left open and drops end tags with nothing to close, so an unclosed
<table>, <a> or <h1> cannot swallow or restyle the rest of the page."""

import re
from collections import Counter

import pytest

from newsvault.content.sanitize import clean_html

VOID = {"br", "hr", "img", "wbr", "col"}


def open_and_closed(html: str) -> tuple[Counter, Counter]:
    tags = re.findall(r"<(/?)([a-z0-9]+)", html)
    opened = Counter(name for slash, name in tags if not slash and name not in VOID)
    closed = Counter(name for slash, name in tags if slash)
    return opened, closed


@pytest.mark.parametrize("html, text", [
    ("<p>fine</p><div><b>also</b></div>", "finealso"),
    ("<div><table><tr><td>cell <b>bold", "cell bold"),
    ('<a href="https://x.example/">a link that never ends', "a link that never ends"),
    ("text</div></main></body> more", "text more"),
    ("<h1>big", "big"),
    ("<p>one<p>two<li>three", "onetwothree"),
    ("<script>if (a<b) {}</script><i>x", "x"),
    ("<!-- <div> --><em>x", "x"),
    ("<DIV>shouting</div>", "shouting"),
    ("<ul><li><blockquote><pre>deep", "deep"),
])
def test_clean_html_is_balanced(html, text):
    out = clean_html(html, "https://x.example/a")
    opened, closed = open_and_closed(out)
    assert opened == closed, out
    assert re.sub(r"<[^>]*>", "", out) == text
