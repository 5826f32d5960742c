"""What a feed's text becomes in a Jekyll post, through the command line: fetched from
the loopback FeedServer, exported with `export jekyll`."""

import pytest
import yaml

pytestmark = pytest.mark.timeout(90)

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
NOW = "2024-02-01T00:00:00Z"


def exported_posts(archive, feed_server, tmp_path, feed: bytes) -> dict[str, str]:
    """The posts `export jekyll` writes after one fetch of ``feed``: file name → text."""
    feed_server.route("/feed.xml", body=feed, headers=RSS)
    archive.add_source("s1", feed_server.url("/feed.xml"), full_text="never")
    archive.cli("fetch", now=NOW, check=0)
    out = tmp_path / "posts"
    archive.cli("export", "jekyll", "--out", str(out), now=NOW, check=0)
    return {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}


def front_matter(post: str) -> dict:
    return yaml.safe_load(post.split("---\n", 2)[1])


def test_windows_1252_references_are_the_post_s_punctuation(archive, feed_server, tmp_path):
    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>c1</title>'
            "<item><title>It&#146;s a &#147;test&#148; &#150; really</title>"
            "<link>https://c1.example.com/1</link>"
            "<description>Don&#146;t panic &#151; it&#146;s fine.</description>"
            "<pubDate>Fri, 05 Jan 2024 10:00:00 +0800</pubDate></item></channel></rss>")
    [(name, post)] = exported_posts(archive, feed_server, tmp_path, feed.encode()).items()
    assert name == "2024-01-05-It\u2019s a \u201ctest\u201d \u2013 really.md"
    assert front_matter(post)["title"] == "It\u2019s a \u201ctest\u201d \u2013 really"
    assert "Don\u2019t panic \u2014 it\u2019s fine." in post
    assert not any("\x80" <= character <= "\x9f" for character in post)
