from html import escape

import pytest

from newsvault.feeds import parse_feed
from newsvault.feeds.dates import parse_date

from .helpers import parse_fixture, titles


def test_rss20_basic_fields():
    feed = parse_fixture("rss20-basic.xml")
    assert (feed.format, feed.title) == ("rss", "晨报 Morning Desk")
    assert feed.site_url == "https://news.example.com/"
    assert feed.recovered is False
    assert titles(feed) == ["城市新公园今日开放", "Rain expected over the weekend", "图书馆延长开放时间"]
    park, rain, library = feed.entries
    assert park.url == "https://news.example.com/2024/park-opens"
    assert park.guid == "https://news.example.com/2024/park-opens"
    assert park.author == "王小明"  # <author>desk@example.com (王小明)</author>
    assert park.published_raw == "Tue, 02 Jan 2024 08:30:00 +0800"
    assert park.published_ms == 1704155400000  # 2024-01-02T00:30:00Z
    assert park.tags == ["城市", "生活"]
    assert park.content_html == "<p>市民在新公园里散步。</p>"  # escaped HTML, unescaped once
    assert park.summary is None
    assert rain.guid == "rain-2024-01-03"
    assert rain.content_html == "<p>Bring an umbrella.</p>"
    assert library.published_ms == parse_date("2024-01-05T01:15:00Z")  # 20:15 EST
    assert library.content_html == "Plain text description & more"


def test_content_encoded_is_returned_byte_for_byte():
    feed = parse_fixture("rss20-content-encoded.xml")
    town, same = feed.entries
    assert town.content_html == (
        '\n<div class="article">\n  <p>小镇沿河而建，早上雾气很重。</p>\n\n'
        '\t<p>Tabs, &nbsp; entities &amp; <b>markup</b> stay exactly as written.</p>\n'
        '  <img src="/img/river.jpg" alt="河">\n</div>\n'
    )
    assert town.summary == "小镇的简短介绍。"
    assert same.content_html == "<p>Identical.</p>"
    assert same.summary is None  # not distinct from the content


def test_dc_creator_and_dc_date():
    slow, both = parse_fixture("rss20-dc-creator-date.xml").entries
    assert (slow.author, slow.published_raw) == ("李华", "2024-01-05T10:20:30+08:00")
    assert slow.published_ms == parse_date("2024-01-05T02:20:30Z")
    assert both.author == "Someone Else"  # dc:creator names whom an address alone does not
    assert both.published_raw == "Fri, 05 Jan 2024 12:00:00 +0000"  # pubDate before dc:date


def test_guid_is_the_url_only_when_a_permalink_that_looks_like_one():
    entries = parse_fixture("rss20-guid-permalink.xml").entries
    assert [entry.url for entry in entries] == [
        "https://guid.example.com/a", None, None, "https://guid.example.com/d-link",
    ]
    assert [entry.guid for entry in entries] == [
        "https://guid.example.com/a", "https://guid.example.com/b",
        "tag:guid.example.com,2024:c", "https://guid.example.com/d-guid",
    ]


def test_media_group_description_then_description_then_media_description():
    grouped, loose, captioned = parse_fixture("rss20-media-description.xml").entries
    assert grouped.content_html == "<p>雾从山谷升起。</p>"  # plain text, as Media RSS says
    assert grouped.summary == "short"
    assert loose.content_html == "<p>A description outside any group.</p>"
    # the New York Times' layout: a photo's caption is no article
    assert captioned.content_html == "The article's own summary."


def test_relative_links_follow_inherited_xml_base():
    feed = parse_fixture("rss20-relative-links.xml")
    assert feed.site_url == "https://base.example.com/news/"
    assert [entry.url for entry in feed.entries] == [
        "https://base.example.com/news/zh/story-1.html",
        "https://other.example.org/section/story-2.html",
        "https://base.example.com/top.html",
    ]
    assert feed.entries[0].content_html == (
        '<a href="https://base.example.com/root/page">resolved against the channel base</a>')


def test_relative_links_without_base_use_the_feed_url():
    feed = parse_fixture("rss20-relative-links-no-base.xml", url="https://feeds.example.com/a/b.xml")
    assert feed.entries[0].url == "https://feeds.example.com/a/articles/42"


def test_rss091_with_netscape_doctype():
    feed = parse_fixture("rss091.xml")
    assert feed.recovered is False  # the external DTD is neither fetched nor needed
    assert titles(feed) == ["First post"]
    assert feed.entries[0].content_html == "Hello from 1999."


def test_unescaped_html_in_description_is_kept_as_markup():
    entry = parse_fixture("rss20-html-in-description.xml").entries[0]
    assert entry.content_html == 'Lead <b>bold</b> and <a href="/x">link</a> tail'


def test_duplicate_items_are_returned_as_they_are():
    feed = parse_fixture("rss20-duplicate-items.xml")
    assert titles(feed) == ["Twice", "Twice", ""]
    assert feed.entries[0] == feed.entries[1]


def test_rdf_rss10():
    feed = parse_fixture("rdf-rss10.xml")
    assert (feed.format, feed.title, feed.site_url) == ("rdf", "RDF 站点", "https://rdf.example.jp/")
    first, second = feed.entries
    assert first.title == "第一条"
    assert first.guid == "https://rdf.example.jp/a"  # rdf:about
    assert first.author == "张三"
    assert first.published_ms == parse_date("2024-01-05T22:00:00Z")
    assert (first.content_html, first.summary) == ("<p>全文</p>", "摘要")
    assert first.tags == ["科技"]
    assert (second.title, second.url) == ("Second", "https://rdf.example.jp/b")


def test_rdf_rss090():
    feed = parse_fixture("rdf-rss090.xml")
    assert (feed.format, feed.title) == ("rdf", "Netscape 0.90")
    assert [(e.title, e.url) for e in feed.entries] == [("Ancient item", "http://ns.example.com/ancient")]


@pytest.mark.parametrize(("author", "creator", "expected"), [
    ("jdoe@example.com (John Doe)", None, "John Doe"),  # RSS 2.0's form
    ("noreply@blogger.com (Jane Roe)", "Someone Else", "Jane Roe"),
    ("John Doe <jdoe@example.com>", None, "John Doe"),
    ("John Doe (jdoe@example.com)", None, "John Doe"),
    ("jdoe@example.com", "John Doe", "John Doe"),  # an address alone: dc:creator names them
    ("jdoe@example.com", None, "jdoe@example.com"),  # ...else it is all there is
    ("王小明", "Someone Else", "王小明"),  # a name where the address belongs: a name
    ("@handle", None, "@handle"),
    (None, "John Doe", "John Doe"),
])
def test_an_rss_author_is_the_name_beside_the_address(author, creator, expected):
    fields = (f"<author>{escape(author)}</author>" if author else "") + \
        (f"<dc:creator>{escape(creator)}</dc:creator>" if creator else "")
    body = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
            f"<title>t</title><item><title>a</title><guid>1</guid>{fields}</item></channel></rss>")
    [entry] = parse_feed(body.encode(), url="https://x.example/").entries
    assert entry.author == expected


FEEDBURNER_ITEMS = """<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>t</title>
<item><title>guid</title><link>http://feedproxy.google.com/~r/example/~3/abc/</link>
  <guid isPermaLink="false">https://blog.example.com/?p=6</guid>
  <feedburner:origLink>https://blog.example.com/a6</feedburner:origLink></item>
<item><title>no guid</title><link>http://feedproxy.google.com/~r/example/~3/def/</link>
  <feedburner:origLink> /a7 </feedburner:origLink></item>
<item><title>same</title><link>https://blog.example.com/a8</link>
  <feedburner:origLink>https://blog.example.com/a8</feedburner:origLink></item>
</channel></rss>"""


def test_feedburner_s_original_link_is_the_item_s_link():
    with_guid, without, same = parse_feed(FEEDBURNER_ITEMS.encode(),
                                          url="https://blog.example.com/feed").entries
    assert (with_guid.url, with_guid.guid) == ("https://blog.example.com/a6",
                                               "https://blog.example.com/?p=6")
    # no guid: still known by the link it was archived under before origLink was read
    assert (without.url, without.guid) == ("https://blog.example.com/a7",
                                           "http://feedproxy.google.com/~r/example/~3/def/")
    assert (same.url, same.guid) == ("https://blog.example.com/a8", None)


def test_feedburner_s_original_link_in_atom():
    body = ('<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><title>t</title>'
            '<entry><id>tag:1</id><title>a</title>'
            '<link rel="alternate" href="http://feedproxy.google.com/~r/example/~3/abc/"/>'
            "<feedburner:origLink>https://blog.example.com/a6</feedburner:origLink></entry></feed>")
    [entry] = parse_feed(body.encode(), url="https://blog.example.com/feed").entries
    assert (entry.url, entry.guid) == ("https://blog.example.com/a6", "tag:1")
