"""export/post.py and export/frontmatter.py on the seed post and on small hand-written cases.

The fixtures in testdata/ are named after the oddity they prove; their text is made up.
"""

from pathlib import Path

import pytest
import yaml

from newsvault.errors import ImportError_
from newsvault.export import frontmatter as fm
from newsvault.export.post import Post, join_html, parse_post, render_post

TESTDATA = Path(__file__).parent / "testdata"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "reference/seed-post-zaobao-2022-01-27.md"


def front_matter(text: str) -> dict:
    return yaml.safe_load(text[4:text.index("\n---\n", 3)])


def fixture(name: str) -> str:
    return (TESTDATA / name).read_bytes().decode("utf-8")


def post(**changes) -> Post:
    values = dict(title="T", date_text="2022-01-27T09:36:52.404Z", author="A",
                  url="https://example.org/a", tags=["A"], categories=["A"],
                  html="<p>x</p>", comment_ms=1)
    values.update(changes)
    return Post(**values)


# -- the seed ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"{SEED} is not here")
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def seed_post(seed_text) -> Post:
    lines = seed_text.split("\n")
    title = lines[2].removeprefix('title: "').removesuffix('"')
    url = lines[5].removeprefix("from: ")
    assert lines[10] == f"[{title}]({url})"
    assert lines[13:15] == ["<div>", lines[14]] and lines[15:] == ["</div>", ""]
    return Post(
        title=title, date_text="2022-01-27T09:36:52.404Z", author="联合早报", url=url,
        tags=["联合早报"], categories=["联合早报"], html=lines[14], comment_ms=1643288400000,
    )


def test_seed_renders_byte_for_byte(seed_text, seed_post):
    assert render_post(seed_post) == seed_text


def test_seed_parses_to_its_values(seed_text, seed_post):
    assert parse_post(seed_text) == seed_post


def test_multi_line_html_is_stripped_and_joined_without_separator(seed_text, seed_post):
    spread = Post(**{**{name: getattr(seed_post, name) for name in Post.__slots__},
                     "html": "  <div>\n   <p>a  b</p>\r\n\n</div>  \n"})
    body = render_post(spread).split("\n---\n", 1)[1]
    assert "<div>\n<div><p>a  b</p></div>\n</div>\n" in body


@pytest.mark.parametrize("html, joined", [
    ("<p>\n  第一行\n  第二行，\n  第三行</p>", "<p>第一行第二行，第三行</p>"),  # as the old system
    ("<p>a long paragraph that the\nauthor hard-wrapped, and\n<b>bold</b>\nwords</p>",
     "<p>a long paragraph that the author hard-wrapped, and <b>bold</b> words</p>"),
    ("<p>英文 and\n中文</p>\n<p>二</p>", "<p>英文 and中文</p><p>二</p>"),
    ("<pre><code>def main():\n    for i in range(3):\r\n        print(i)\n</code></PRE>\n<p>x</p>",
     "<pre><code>def main():&#10;    for i in range(3):&#10;        print(i)&#10;</code></PRE>"
     "<p>x</p>"),
    ("\n \n", ""),
])
def test_lines_are_joined_with_a_space_only_where_words_would_run_together(html, joined):
    assert join_html(html) == joined
    assert join_html(joined) == joined


def test_a_title_cannot_open_a_tag_in_the_markdown_link():
    text = render_post(post(title="Evil <img src=x onerror=alert(1)> 标题", html="<p>x</p>"))
    assert "\n[Evil &lt;img src=x onerror=alert(1)> 标题](" in text
    assert 'title: "Evil <img src=x onerror=alert(1)> 标题"' in text
    assert parse_post(text).title == "Evil <img src=x onerror=alert(1)> 标题"


# -- rendering -----------------------------------------------------------------------


def test_seed_layout_needs_comment_ms():
    with pytest.raises(ValueError, match="comment_ms"):
        render_post(post(comment_ms=None))


def test_verbatim_body_is_written_untouched_and_comment_ms_ignored():
    body = "\n<article class=\"x\">\n  <p>a</p>\n</article>\n\n"
    text = render_post(post(html=body, verbatim=True, comment_ms=None))
    assert text.endswith("categories: [ A ]\n---\n" + body)


@pytest.mark.parametrize("value, written", [
    ("联合早报", "联合早报"),
    ("Muyi Xiao, Yan Cong &#38; more", "Muyi Xiao, Yan Cong &#38; more"),
    ("马森@破土工作室", "马森@破土工作室"),
    ("https://example.org/a#frag", "https://example.org/a#frag"),
    ("true", '"true"'), ("null", '"null"'), ("123", '"123"'), ("0x1F", '"0x1F"'),
    ("1_000.5", '"1_000.5"'), (".5", '".5"'), ("._", "._"), ("=", '"="'), ("<<", '"<<"'),
    ("~", '"~"'),
    ("@x", '"@x"'), ("- x", '"- x"'), ("-x", '"-x"'), ("a: b", '"a: b"'), ("a:", '"a:"'),
    ("a #b", '"a #b"'), ("[a]", '"[a]"'), ("'q'", "\"'q'\""), ("", '""'), (" ", '" "'),
    ("back\\slash", "back\\slash"), ('say "hi"', 'say "hi"'), ('"hi"', '"\\"hi\\""'),
    ("line\u2028sep", '"line\\u2028sep"'), ("2022-01-27", '"2022-01-27"'),
    (" padded ", " padded "),  # spaces around a plain-safe value are layout, kept
    # what Jekyll's reader (Ruby's Psych) types though PyYAML reads a string
    ("yEs", '"yEs"'), ("nULL", '"nULL"'), ("oN", '"oN"'), (".INf", '".INf"'),
    ("1,000", '"1,000"'), ("1,000.5", '"1,000.5"'), ("2022-1-5", '"2022-1-5"'),
    ("2022-01-27 09:36:52 +0800", '"2022-01-27 09:36:52 +0800"'), ("12:30", '"12:30"'),
    ("5G", "5G"), ("G20", "G20"), ("No.1", "No.1"), ("on the road", "on the road"),
])
def test_block_scalar_quoting(value, written):
    assert fm.scalar(value) == written
    loaded = yaml.safe_load(f"k: {written}\n")["k"]
    assert loaded == (value.strip(" ") if written == value else value)


def test_dates_stay_plain_when_yaml_reads_them_as_dates():
    for value in ("2022-01-27T09:36:52.404Z", "2014-02-04T09:36:39+01:00", "2020-05-16",
                  "2019-04-20T14:47:48Z", "Mon, 02 Jan 2006 15:04:05 GMT"):
        assert fm.scalar(value, timestamp=True) == value
    assert fm.scalar("2020-13-45", timestamp=True) == '"2020-13-45"'  # YAML could not load it
    assert fm.scalar("2020-01-01T00:00:00+99:00", timestamp=True).startswith('"')


def test_flow_lists():
    assert fm.flow_list([]) == "[ ]"
    assert fm.flow_list(["a"]) == "[ a ]"
    assert fm.flow_list(["news", "联合早报"]) == "[ news, 联合早报 ]"
    hostile = ["a, b", "[x]", "{y}", "#t", "k: v", "a:b", "", " s", "it's", "x#y"]
    text = fm.flow_list(hostile)
    assert yaml.safe_load(f"k: {text}\n")["k"] == hostile


def test_title_is_always_double_quoted_and_on_one_line():
    text = render_post(post(title='He said "hi"\r\nC:\\temp\x08\u2028'))
    assert '\ntitle: "He said \\"hi\\" C:\\\\temp\\u2028"\n' in text
    assert front_matter(text)["title"] == 'He said "hi" C:\\temp\u2028'


def test_values_lose_characters_yaml_cannot_carry():
    text = render_post(post(author="a\x00b\x1fc\x7fd\x9fe\ud800f\ufffeg\uffffh", tags=["t\x85"]))
    assert front_matter(text)["author"] == "abcdefgh"
    assert front_matter(text)["tags"] == ["t"]


def test_extra_keys_are_written_after_tags_raw_or_quoted_when_broken():
    text = render_post(post(extra=[("comments", "True"), ("broken", "[ a"), ("title", "x"),
                                   ("a: b", "x"), ("empty", "")]))
    assert "tags: [ A ]\ncomments: True\nbroken: \"[ a\"\nempty:\ncategories: [ A ]\n" in text
    loaded = front_matter(text)
    assert loaded["comments"] is True and loaded["title"] == "T" and loaded["empty"] is None


# -- parsing -------------------------------------------------------------------------


def test_unescaped_quotes_in_title():
    parsed = parse_post(fixture("unescaped-quotes-in-title.md"))
    assert parsed.title == 'He said "hi" to the "board" today'
    assert parsed.date_text == "2019-04-20T14:47:48Z"
    assert parsed.verbatim and parsed.comment_ms is None
    assert parsed.html == '\n<article class="post"><p>Body.</p>\n</article>\n'
    rendered = render_post(parsed)
    assert front_matter(rendered)["title"] == parsed.title
    assert parse_post(rendered) == parsed


def test_control_characters_in_values_are_dropped():
    parsed = parse_post(fixture("control-characters-in-values.md"))
    assert parsed.title == "Bell and backspace - Example"
    assert parsed.author == "Example Writer"
    assert parsed.url == "https://example.org/page"
    assert parsed.date_text == "2017-06-22T10:00:00+02:00"
    assert (parsed.tags, parsed.categories) == (["Example"], ["Example"])
    assert parse_post(render_post(parsed)) == parsed


def test_categories_with_news_and_source():
    text = fixture("categories-news-and-source.md")
    parsed = parse_post(text)
    assert parsed.categories == ["news", "Example Daily"]
    assert parsed.tags == ["Example Daily"]
    assert (parsed.verbatim, parsed.comment_ms, parsed.html) == (False, 1643276212404,
                                                                 "<p>One line.</p>")
    assert render_post(parsed) == text


def test_missing_comment_line_keeps_the_body_verbatim():
    text = fixture("missing-comment-line.md")
    parsed = parse_post(text)
    assert parsed.verbatim and parsed.comment_ms is None
    assert parsed.html.startswith("[No comment line](https://example.org/no-comment)\n")
    assert render_post(parsed) == text


def test_comments_true_is_kept_in_place():
    text = fixture("comments-true.md")
    parsed = parse_post(text)
    assert parsed.extra == [("comments", "True")]
    assert parsed.verbatim and parsed.html.startswith("\n<section")
    assert render_post(parsed) == text
    assert front_matter(text)["comments"] is True


def test_html_entity_in_author_is_kept_as_written():
    text = fixture("html-entity-in-author.md")
    parsed = parse_post(text)
    assert parsed.author == "Jane Roe, John Doe &#38; more"
    assert parsed.title == "Q&amp;A on entities"
    assert parsed.date_text == "2020-05-16"
    assert render_post(parsed) == text


def test_nan_comment_reads_as_none_and_the_caller_sets_the_time():
    text = fixture("nan-comment.md")
    parsed = parse_post(text)
    assert (parsed.verbatim, parsed.comment_ms, parsed.html) == (False, None, "<p>One line.</p>")
    with pytest.raises(ValueError):
        render_post(parsed)
    parsed.comment_ms = 1409127077000
    assert render_post(parsed) == text.replace("<!--NaN-->", "<!--1409127077000-->")


def test_title_broken_over_lines_is_joined():
    parsed = parse_post(fixture("title-broken-over-lines.md"))
    assert parsed.title == "A title the old system wrote with a line break"
    assert parsed.author == "Example Writer"


def test_block_lists_and_quoted_values():
    parsed = parse_post(fixture("block-lists-and-quoted-values.md"))
    assert parsed.title == "It's single-quoted"
    assert parsed.date_text == "2021-03-04T05:06:07Z"
    assert parsed.author == 'Quoted "Author"'
    assert parsed.url == "https://example.org/quoted"
    assert parsed.tags == ["Example", "a, b"]
    assert parsed.categories == ["news", "Ex, ample"]


def test_spaces_around_a_plain_value_survive_a_round_trip():
    text = fixture("spaces-around-author.md")
    parsed = parse_post(text)
    assert parsed.author == " Leading Space"
    assert render_post(parsed) == text
    trailing = text.replace("author:  Leading Space\n", "author: Trailing Space \n")
    assert parse_post(trailing).author == "Trailing Space "
    assert render_post(parse_post(trailing)) == trailing
    assert front_matter(trailing)["author"] == "Trailing Space"


def test_body_not_exactly_seed_layout_stays_verbatim():
    base = fixture("categories-news-and-source.md")
    for changed in (
        base.replace("<p>One line.</p>", "<p>One</p>\n<p>Two</p>"),  # content on two lines
        base.replace("<p>One line.</p>", "<p>One line.</p>  "),  # trailing spaces
        base.replace("[Two categories]", "[Two categories...]"),  # link title differs
        base.replace("<!--1643276212404-->", "<!--01643276212404-->"),  # not how it renders
        base.rstrip("\n"),  # no final newline
    ):
        parsed = parse_post(changed)
        assert parsed.verbatim, changed
        assert render_post(parsed) == changed


@pytest.mark.parametrize("name, reason", [
    ("not-a-post.md", "no front matter"),
    ("front-matter-not-closed.md", "not closed"),
])
def test_not_a_post(name, reason):
    with pytest.raises(ImportError_, match=reason) as caught:
        parse_post(fixture(name))
    assert "\n" not in str(caught.value) and str(caught.value).startswith("import: ")


@pytest.mark.parametrize("name, title", [
    ("2019-04-20-no-title-no-url.md", "No Title No Url"),
    ("2019-4-2-hello-WORLD.markdown", "Hello World"),  # as Ruby's capitalize does
    ("2019-04-20-没有标题.html", "没有标题"),
    ("", ""),
])
def test_a_post_without_a_title_is_titled_by_its_file_name_as_jekyll_does(name, title):
    text = fixture("no-title-no-url.md")
    assert parse_post(text, name).title == title
    for null in ("title:", "title: ~", "title: null  # none yet", "title: NULL"):  # YAML's null
        assert parse_post(text.replace("date:", f"{null}\ndate:"), name).title == title, null
    assert parse_post(text.replace("date:", 'title: ""\ndate:'),
                      name).title == ""  # an empty string is a title: Jekyll keeps it


def test_empty_text_is_not_a_post():
    for text in ("", "---", "---\n", "\n---\nlayout: post\n---\n"):
        with pytest.raises(ImportError_):
            parse_post(text)


# -- Liquid ----------------------------------------------------------------------------

LIQUID = "<p>{{ a }} and {% endif %} then {%raw%} {{- b -}} {{{c}}}</p>"


def body_of(text: str) -> str:
    return text[text.index("\n---\n", 3) + 5:]


def test_liquid_in_the_article_and_title_line_is_written_as_entities():
    text = render_post(post(title="Helm {{ .Values }} {%if%}", html=LIQUID,
                            url="https://example.org/{{x}}"))
    body = body_of(text)
    assert "{{" not in body and "{%" not in body
    assert "<p>&#123;{ a }} and &#123;% endif %} then &#123;%raw%} &#123;{- b -}} " \
           "&#123;&#123;{c}}}</p>" in body
    assert "\n[Helm &#123;{ .Values }} &#123;%if%}](https://example.org/%7B{x}})\n" in body
    assert 'title: "Helm {{ .Values }} {%if%}"' in text  # front matter is no Liquid
    again = parse_post(text)  # read back as the seed layout, and written the same
    assert not again.verbatim and render_post(again) == text


def test_liquid_in_a_verbatim_body_is_written_as_entities():
    text = render_post(post(html="\n<p>{% raw %}\n{{bbox}}</p>\n", verbatim=True))
    assert body_of(text) == "\n<p>&#123;% raw %}\n&#123;{bbox}}</p>\n"


def test_the_exports_own_image_links_stay_liquid():
    image = "{{ site.baseurl }}/assets/media/ab/" + "ab" * 32 + ".png"
    text = render_post(post(html=f'<p>{{{{x}}}}<img src="{image}"></p>'))
    assert '<p>&#123;{x}}<img src="' + image + '"></p>' in text


@pytest.mark.parametrize("title, line", [
    ("[视频] 新闻", "[[视频] 新闻](https://e.example/1)"),  # balanced: as the old system wrote
    ("x](javascript:alert(1)) [y", "[x\\](javascript:alert(1)) \\[y](https://e.example/1)"),
    ("![](http://t.example/p.gif)", "[!\\[\\](http://t.example/p.gif)](https://e.example/1)"),
    ("a ] b", "[a \\] b](https://e.example/1)"),
    ("trailing \\", "[trailing \\\\](https://e.example/1)"),
    # "]:" makes the line a link definition to kramdown (checked): it would show nothing
    ("[Update]: Markets rally", "[\\[Update\\]&#58; Markets rally](https://e.example/1)"),
    ("*[HTML]: abbr", "[*\\[HTML\\]&#58; abbr](https://e.example/1)"),
])
def test_a_title_cannot_end_the_link_line_early(title, line):
    """A title's "](" or unbalanced bracket would close the link text, and the rest would
    make a link of its own, a javascript: one or a tracking image; a "]:" would make the
    line a link definition."""
    text = render_post(post(title=title, url="https://e.example/1"))
    assert line + "\n------\n" in text


@pytest.mark.parametrize(("line", "tags"), [
    ("tags: jekyll ruby  web", ["jekyll", "ruby", "web"]),  # Jekyll splits a string
    ('tags: "two words"', ["two", "words"]),
    ("tags: 联合早报", ["联合早报"]),
    ("tags: [ two words, other ]", ["two words", "other"]),  # a list's items are kept whole
    ("tags:\n  - two words\n  - other", ["two words", "other"]),
    # a comment ends a plain item, not a quoted one; YAML's null is no item (Psych checked)
    ('tags:\n  - plain # comment\n  - "q # not"\n  - ~\n  - C#', ["plain", "q # not", "C#"]),
    ('tags: [a, ~, null, b, "null"]', ["a", "b", "null"]),
])
def test_tags_and_categories_are_read_as_jekyll_reads_them(line, tags):
    text = (f'---\nlayout: post\ntitle: "t"\ndate: 2022-01-27\n{line}\n'
            f'{line.replace("tags", "categories")}\n---\nbody\n')
    post = parse_post(text)
    assert (post.tags, post.categories) == (tags, tags)


def test_a_yaml_comment_ends_a_plain_value_as_jekyll_reads_it():
    post = parse_post('---\nlayout: post\ntitle: Hello world # a comment\n'
                      'date: 2022-01-03 10:00:00 +0000 # when\nauthor: C# Weekly\n'
                      'tags: [a, b] # tags\ncategories: [ "x # y", "] #" ]\n---\nbody\n')
    assert (post.title, post.date_text, post.author) == (
        "Hello world", "2022-01-03 10:00:00 +0000", "C# Weekly")  # "C#": no comment
    assert (post.tags, post.categories) == (["a", "b"], ["x # y", "] #"])  # quoted: text


# -- values over several lines: a theme's mappings, lists and blocks --------------------

THEMED = """---
layout: post
title: Themed
date: 2024-01-05 10:00:00 +0800
author:
  name: Jane Doe   # jekyll-seo-tag reads author.name
  twitter: jane
image:
  path: /img/a.png
  alt: "An image: with a colon"
header:
  overlay_image: /img/b.png
  actions:
    - label: "Read"
      url: /read/
excerpt: |
  First line.

  Second paragraph.
description: >-
  A folded
  description.
---
Body.
"""


def loaded_front_matter(text: str) -> dict:
    return yaml.safe_load(text[4:text.index("\n---\n", 3)])


def test_mappings_lists_of_mappings_and_blocks_are_written_back_as_yaml_reads_them():
    post = parse_post(THEMED, "2024-01-05-themed.md")
    assert post.author == "Jane Doe"  # the archive's and the site's author: the name
    written, original = loaded_front_matter(render_post(post)), loaded_front_matter(THEMED)
    for key in ("author", "image", "header", "excerpt", "description"):
        assert written[key] == original[key], key
    assert written["excerpt"] == "First line.\n\nSecond paragraph.\n"


@pytest.mark.parametrize("author, name", [
    ("[Jane, Joe]", "Jane"),
    ("{ name: Jane Doe, email: j@example.org }", "Jane Doe"),
    ("\n  - Jane\n  - Joe", "Jane"),
    ("\n  email: j@example.org", "j@example.org"),  # no name: its first text
])
def test_an_author_given_as_a_list_or_mapping_keeps_that_shape_and_is_named_by_it(author, name):
    text = f"---\ntitle: T\ndate: 2024-01-05\nauthor: {author}\n---\nx\n".replace(": \n", ":\n")
    post = parse_post(text)
    assert post.author == name
    assert loaded_front_matter(render_post(post))["author"] == loaded_front_matter(text)["author"]


def test_lines_that_do_not_read_as_yaml_alone_are_flattened_as_before():
    text = "---\ntitle: T\ndate: 2024-01-05\nnote:\n  a: [unclosed\nimage:\n  - one\n  - two\n---\nx\n"
    written = loaded_front_matter(render_post(parse_post(text)))
    assert written["note"] == "a: [unclosed"  # one string, still valid YAML
    assert written["image"] == ["one", "two"]  # a plain list is written as a flow list



def test_a_value_with_a_line_break_that_is_not_a_block_is_written_on_one_line():
    """Hypothesis found `comments: ""` + a line break written as `comments:""` and a
    blank line: only what `structured` read (lines under the key) is written as lines."""
    post = Post(title='"', date_text="2000-01-01T00:00:00.000Z", author="", url="", tags=[],
                categories=[], html="", comment_ms=0, extra=[("comments", '""\n')])
    written = loaded_front_matter(render_post(post))
    assert written["comments"] == "" and written["tags"] == []


def test_two_keys_with_one_anchor_do_not_break_the_front_matter():
    """Hypothesis found `comments: &0` twice: each loads alone, the two do not."""
    post = Post(title="t", date_text="2000-01-01T00:00:00.000Z", author="", url="", tags=[],
                categories=[], html="", comment_ms=0,
                extra=[("comments", "&0"), ("note", "&0"), ("image", "\n  path: &p /a.png")])
    written = loaded_front_matter(render_post(post))
    assert (written["comments"], written["note"]) == ("&0", "&0")
