from newsvault.feeds import discover_feed_urls

from .helpers import fixture_bytes


def test_discovers_feed_links_in_document_order():
    page = fixture_bytes("discovery-page.html")
    urls = discover_feed_urls(page, "https://site.example.com/zh/index.html")
    assert urls == [
        "https://site.example.com/zh/feed.xml",  # resolved against <base href>
        "https://site.example.com/atom.xml",
        "https://site.example.com/feed.json",
        "https://cdn.example.net/feed.json",
    ]


def test_relative_to_the_page_without_base():
    html = b'<html><head><link rel="alternate" type="application/atom+xml" href="atom"></head></html>'
    assert discover_feed_urls(html, "https://a.example/blog/post") == ["https://a.example/blog/atom"]


def test_page_without_feeds_and_empty_input():
    assert discover_feed_urls(b"<html><body>nothing</body></html>", "https://a.example/") == []
    assert discover_feed_urls(b"", "https://a.example/") == []


def test_gbk_page():
    html = ('<html><head><meta charset="gbk"><title>中文</title>'
            '<link rel="alternate" type="application/rss+xml" title="订阅" href="/rss"></head></html>')
    assert discover_feed_urls(html.encode("gbk"), "https://a.example/") == ["https://a.example/rss"]


def test_a_byte_the_pages_charset_cannot_have_does_not_hide_the_feed_after_it():
    head = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            "<title>新闻").encode("gb2312")
    rest = ('</title><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            "</head><body>正文</body></html>").encode("gb2312")
    for page in (head + b"\xff\xfe" + rest, head.replace(b"gb2312", b"utf-8") + rest):
        assert discover_feed_urls(page, "http://x.test/a/") == ["http://x.test/feed.xml"]


def test_rss_1_html5_rel_feed_and_subscribe_links_are_feeds_and_generic_xml_comes_last():
    html = b"""<html><head>
      <link rel="alternate" type="text/xml" href="/maybe.xml">
      <link rel="alternate" type="application/rdf+xml" href="/index.rdf">
      <link rel="feed" href="/html5-feed">
      <link rel="alternate" type="application/rss+xml" href="feed://b.example/rss">
      <link rel="alternate" type="text/xml+oembed" href="/oembed">
      <link rel="stylesheet" type="text/css" href="/site.css">
    </head></html>"""
    assert discover_feed_urls(html, "https://a.example/") == [
        "https://a.example/index.rdf", "https://a.example/html5-feed", "http://b.example/rss",
        "https://a.example/maybe.xml"]
