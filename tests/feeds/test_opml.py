import pytest
from hypothesis import given, strategies as st

from newsvault.errors import FeedError
from newsvault.feeds.opml import OpmlOutline, read_opml, write_opml

from .helpers import fixture_bytes


def test_read_nested_opml():
    assert read_opml(fixture_bytes("opml-nested.opml")).outlines == [
        OpmlOutline("晨报", "https://news.example.com/feed.xml", ["新闻"]),
        OpmlOutline("World Desk", "https://world.example.com/rss", ["新闻", "国际"]),
        OpmlOutline("https://bare.example.com/atom.xml", "https://bare.example.com/atom.xml", []),
        OpmlOutline("Tagged by category", "https://cat.example.com/feed", ["Tech", "Science"]),
    ]


@pytest.mark.parametrize("body", [b"<rss><channel/></rss>", b"not xml at all", b""])
def test_not_opml(body):
    with pytest.raises(FeedError, match=r"^opml: "):
        read_opml(body)


def test_write_opml_shape():
    data = write_opml([OpmlOutline("晨报 & Co", "https://n.example/feed?a=1&b=2", ["新闻"])])
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<opml version="2.0">' in data
    assert b"<title>newsvault sources</title>" in data
    assert ('<outline type="rss" text="晨报 &amp; Co" title="晨报 &amp; Co" '
            'xmlUrl="https://n.example/feed?a=1&amp;b=2"').encode() in data


def test_round_trip_keeps_order_and_tags():
    outlines = [
        OpmlOutline("A", "https://a.example/feed", ["news"]),
        OpmlOutline("B", "https://b.example/feed", ["news", "中文"]),
        OpmlOutline("C", "https://c.example/feed", []),
        OpmlOutline("D", "https://d.example/feed", ["news"]),
    ]
    assert read_opml(write_opml(outlines, title="Mine")).outlines == outlines


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s.strip())
tags = names.filter(lambda s: "," not in s and not s.startswith("/") and not s.endswith("/"))


@given(st.lists(st.builds(OpmlOutline, names, names.map(lambda s: "https://x.example/" + s),
                          st.lists(tags, max_size=3, unique=True)),
                max_size=6, unique_by=lambda outline: outline.url))  # a feed is listed once
def test_round_trip_property(outlines):
    assert read_opml(write_opml(outlines)).outlines == outlines


def test_read_opml_with_a_bare_ampersand():
    data = b'<opml version="2.0"><body><outline text="Tom & Jerry" xmlUrl="https://t.example/rss?a=1&b=2"/></body></opml>'
    assert read_opml(data).outlines == [OpmlOutline("Tom & Jerry", "https://t.example/rss?a=1&b=2", [])]


def test_a_feed_listed_in_two_folders_is_one_outline_with_both_tags():
    data = ('<opml version="2.0"><body><outline text="Tech"><outline text="甲" xmlUrl="http://a/f"/>'
            '</outline><outline text="新闻"><outline text="甲 again" xmlUrl="http://a/f"/>'
            '<outline text="乙" xmlUrl="http://b/f"/></outline></body></opml>').encode()
    listed = read_opml(data)
    assert (listed.outlines, listed.damaged) == ([OpmlOutline("甲", "http://a/f", ["Tech", "新闻"]),
                                                  OpmlOutline("乙", "http://b/f", ["新闻"])], False)


def test_a_cut_off_file_is_read_as_far_as_it_goes_and_said_to_be_damaged():
    data = ('<opml version="2.0"><body><outline text="Tech"><outline text="甲" xmlUrl="http://a/f">'
            '<outline text="乙" xmlUrl="http://b/f"/><outline text="丙" xmlU').encode()
    listed = read_opml(data)
    assert listed.damaged
    assert listed.outlines == [OpmlOutline("甲", "http://a/f", ["Tech"]),
                               OpmlOutline("乙", "http://b/f", ["Tech"])]  # not tagged 甲


def test_an_opml_with_a_default_namespace_and_feeds_given_in_url_is_read():
    data = b"""<?xml version="1.0"?>
    <opml version="2.0" xmlns="http://opml.org/spec2"><body>
      <outline text="News"><outline type="rss" text="A" xmlUrl="https://a.example/feed"/></outline>
      <outline type="rss" text="B" url="https://b.example/rss"/>
      <outline type="link" text="C" url="https://c.example/"/>
    </body></opml>"""
    outlines = read_opml(data).outlines
    assert [(o.name, o.url, o.tags) for o in outlines] == [
        ("A", "https://a.example/feed", ["News"]), ("B", "https://b.example/rss", [])]
