"""A user's own Markdown posts, imported, are written back by every export (clean too)
with their body exactly as read: never through the HTML sanitizer, which would turn a
blockquote into "&gt;", drop autolinks and lines of code. The old system's HTML posts are
cleaned as before, and so is a Markdown post once a feed revised it (the feed's HTML)."""

import json
import sqlite3

import pytest
from support.posts import write
from support.cli import cli_env, newsvault

from newsvault.export.jekyll import export_jekyll
from newsvault.export.jekyll_import import import_jekyll

SOURCE = "示例日报"
NOW = "2022-05-02T00:00:00.000Z"
# the front matter as the export writes it, so that the whole file can come back unchanged
FRONT = ('---\nlayout: post\ntitle: "My post"\ndate: "2022-05-01 09:00:00 +0800"\n'
         'author: ""\nfrom: ""\ntags: [ blog ]\ncategories: [ ]\n---\n')
BODY = ('> Quote from someone.\n\n'
        'Visit <https://example.org/> for more, and compare `x < y` && `a > b`.\n\n'
        '```python\nprint("<b>")\n<script>alert(1)</script>\nif x < y: pass\n```\n')
NAME = "2022-05-01-my-post.md"




def seed_post(title: str, url: str, html: str, comment: str | None = "1643288400000") -> str:
    """A post of the old system: its seed layout, or (no comment) its raw-HTML variant."""
    head = (f'---\nlayout: post\ntitle: "{title}"\ndate: 2022-01-27T09:36:52.404Z\n'
            f"author: {SOURCE}\nfrom: {url}\ntags: [ {SOURCE} ]\ncategories: [ {SOURCE} ]\n---\n")
    if comment is None:
        return head + f"\n{html}\n"
    return head + f"<!--{comment}-->\n[{title}]({url})\n------\n\n<div>\n{html}\n</div>\n"


def body_of(data: bytes) -> bytes:
    return data[data.index(b"\n---\n", 3) + 5:]


def markdown_flags(store) -> list[tuple]:
    with sqlite3.connect(store.path) as db:
        return db.execute("SELECT post_name, json_extract(post_layout, '$.markdown')"
                          " FROM articles ORDER BY post_name").fetchall()


def cli(*args, cwd):
    return newsvault(*args, cwd=cwd, env=cli_env(NOW), check=0)


def rss(link: str, html: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>My post</title><link>{link}</link><guid>item-1</guid>"
            f"<pubDate>Sun, 01 May 2022 01:00:00 GMT</pubDate>"
            f"<description><![CDATA[{html}]]></description></item></channel></rss>").encode()


def test_a_markdown_post_comes_back_byte_for_byte_from_a_clean_export(store, posts):
    original = write(posts, NAME, FRONT + BODY).read_bytes()
    import_jekyll(store, posts)
    report = export_jekyll(store, posts)  # where `newsvault run` writes it: over the source
    assert report.unchanged == 1 and report.written == 0
    assert (posts / NAME).read_bytes() == original


def test_a_markdown_post_with_crlf_lines_keeps_its_body_byte_for_byte(store, posts, tmp_path):
    text = ("---\r\ntitle: My post\r\ndate: 2022-05-01 09:00:00 +0800\r\ntags: [blog]\r\n---\r\n"
            + BODY.replace("\n", "\r\n"))
    write(posts, NAME, text)
    import_jekyll(store, posts)
    export_jekyll(store, tmp_path / "clean")
    export_jekyll(store, tmp_path / "raw", raw=True)
    clean = (tmp_path / "clean" / NAME).read_bytes()
    assert body_of(clean) == BODY.replace("\n", "\r\n").encode()
    assert clean == (tmp_path / "raw" / NAME).read_bytes()


@pytest.mark.parametrize("name, body, markdown", [
    (NAME, BODY, True),
    ("2022-05-01-autolink-first.markdown", "<https://example.org/>\n\nText.\n", True),
    ("2022-05-01-old-header.md", "<!--1651366800000-->\n[My post](u)\n------\n\nPlain *text*.\n",
     True),
    ("2022-05-01-html.html", BODY, False),  # not a Markdown file: HTML, cleaned
    ("2022-05-01-div.md", "\n<div>\n<p>HTML</p>\n</div>\n", False),
    ("2022-05-01-article.md", "\r\n<article class=\"post\"><p>HTML</p></article>\r\n", False),
    ("2022-05-01-old-div.md", "<!--NaN-->\n[My post](u)\n------\n\n<div>\n<p>x</p>\n</div>\n",
     False),
    ("2022-05-01-empty.md", "\n", False),
], ids=lambda value: value if isinstance(value, str) and value.startswith("2022") else
    {True: "markdown", False: "html"}.get(value, ""))
def test_which_imported_bodies_are_markdown(store, posts, name, body, markdown):
    write(posts, name, FRONT + body)
    import_jekyll(store, posts)
    assert markdown_flags(store) == [(name, 1 if markdown else None)]


def test_the_old_systems_posts_are_still_cleaned(store, posts, tmp_path):
    dirty = '<p onclick="track()">正文<script>bad()</script></p>'
    write(posts, "2022-01-27-seed.md", seed_post("种子", "https://example.org/a", dirty))
    write(posts, "2022-01-28-variant.md",
          seed_post("变体", "https://example.org/b", f"<div>\n{dirty}\n</div>", comment=None))
    import_jekyll(store, posts)
    assert [flag for _, flag in markdown_flags(store)] == [None, None]
    export_jekyll(store, tmp_path / "out")
    seed = (tmp_path / "out" / "2022-01-27-seed.md").read_text(encoding="utf-8")
    variant = (tmp_path / "out" / "2022-01-28-variant.md").read_bytes()
    assert seed.endswith("[种子](https://example.org/a)\n------\n\n<div>\n<p>正文</p>\n</div>\n")
    assert body_of(variant) == "\n<div>\n<p>正文</p>\n</div>\n".encode()


def test_newsvault_run_leaves_a_markdown_post_as_it_was(tmp_path):
    """The report's case: the run exports over the very _posts folder it imported."""
    cli("init", "site", "--empty", cwd=tmp_path)
    site = tmp_path / "site"
    (site / "_posts").mkdir()
    original = write(site / "_posts", NAME, FRONT + BODY).read_bytes()
    cli("import", "jekyll", "_posts", cwd=site)
    cli("run", cwd=site)
    assert (site / "_posts" / NAME).read_bytes() == original


def test_a_markdown_post_a_feed_revised_is_the_feeds_clean_html(tmp_path, posts, feed_server):
    link = feed_server.url("/story/1")
    front = FRONT.replace('from: ""', f"from: {link}").replace("[ blog ]", f"[ {SOURCE} ]")
    write(posts, NAME, front + BODY)
    feed_server.route("/feed.xml", body=rss(link, "<p>New <b>text</b><script>x()</script></p>"),
                      headers={"Content-Type": "application/rss+xml"})
    cli("init", "news", "--empty", cwd=tmp_path)
    news = tmp_path / "news"
    cli("add", feed_server.url("/feed.xml"), "--name", SOURCE, "--no-check", cwd=news)
    cli("import", "jekyll", str(posts), cwd=news)
    cli("fetch", "--strict", cwd=news)
    assert json.loads(cli("status", "--json", cwd=news).stdout)["totals"]["versions"] == 2
    cli("export", "jekyll", "--out", "out", cwd=news)
    text = (news / "out" / NAME).read_text(encoding="utf-8")
    assert text.endswith("\n<div>\n<p>New <b>text</b></p>\n</div>\n"), text
