import pytest
from lxml import etree

from newsvault.feeds import parse_feed
from newsvault.feeds.xml import balanced_tags

from .helpers import TESTDATA, parse_fixture, titles


def test_bare_ampersands_are_escaped():
    feed = parse_fixture("bare-ampersand.xml")
    assert feed.recovered is True
    assert feed.title == "Tom & Jerry News"
    assert titles(feed) == ["Salt & pepper & more", "R&D budget: 5 & 6"]
    assert feed.entries[0].url == "https://amp.example.com/?a=1&b=2"
    assert feed.entries[0].content_html == "<p>Inside CDATA & stays &nbsp; raw</p>"


def test_undefined_html_entities_become_their_characters():
    feed = parse_fixture("undefined-html-entities.xml")
    assert feed.recovered is True
    assert feed.title == "Entities\u00a0Daily"
    assert titles(feed) == ["Wait\u2026 it\u2019s here \u2014 finally\u00a0\u00a9",
                            "Unknown &bogus; stays visible"]
    assert feed.entries[0].content_html == "<p>café</p> €5"
    assert feed.entries[1].content_html == "<p>CDATA keeps &nbsp; and &mdash; as written</p>"


def test_control_characters_are_dropped():
    feed = parse_fixture("control-characters.xml")
    assert feed.recovered is True
    assert feed.title == "Control characters"
    assert titles(feed) == ["Bell and form feed", "Clean one"]
    assert feed.entries[0].content_html == "<p>Null inside CDATA</p>"


def test_control_character_inside_a_large_cdata_section():
    content = "<p>" + "长文本" * 100 + "\x01</p>"
    body = (f'<rss><channel><item><title>T</title><description><![CDATA[{content}]]>'
            '</description></item></channel></rss>').encode()
    feed = parse_feed(body, url="https://x.example/")
    assert feed.recovered is True
    assert feed.entries[0].content_html == content.replace("\x01", "")


def test_truncated_feed_keeps_its_complete_items():
    feed = parse_fixture("truncated.xml")
    assert (feed.recovered, feed.truncated) == (True, True)
    # the item the body was cut inside is no article (half a title, a link cut short)
    assert titles(feed) == ["完整条目 1", "完整条目 2", "完整条目 3"]
    assert [entry.content_html for entry in feed.entries] == [
        f"<p>第{n}条的正文。</p>" for n in (1, 2, 3)
    ]


@pytest.mark.parametrize("cut_at", ["<title>It", "<link>http://e.example/3", "</title>"])
def test_an_item_the_body_ends_inside_is_dropped_and_a_closed_one_kept(cut_at):
    whole = ('<rss version="2.0"><channel><title>t</title>'
             '<item><title>A</title><link>http://e.example/1</link></item>'
             '<item><title>B</title><link>http://e.example/2</link></item>')
    cut = parse_feed((whole + "<item>" + cut_at).encode(), url="http://e.example/f")
    assert [entry.title for entry in cut.entries] == ["A", "B"]
    after_item = parse_feed((whole + "</chan").encode(), url="http://e.example/f")
    assert [entry.title for entry in after_item.entries] == ["A", "B"]


@pytest.mark.parametrize("body", [
    '<rss><channel><item><title>A</title></item><item><title>B',  # inside an item
    "<rss><channel><item><title>A</title></item>",  # between items
    "<rss><channel><item><title>A</title></item></channel></rs",  # inside the last end tag
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title></entry>',
])
def test_a_feed_that_ends_before_its_root_element_does_is_truncated(body):
    feed = parse_feed(body.encode(), url="http://e.example/f")
    assert (feed.truncated, [entry.title for entry in feed.entries]) == (True, ["A"])


@pytest.mark.parametrize("body", [
    "<rss><channel><item><title>A & B</title></item></channel></rss>\n<?php junk",
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns="http://purl.org/rss/1.0/"><item><title>A & B</title></item></rdf:RDF >',
    "<rss><channel><item><title>A &amp; B</title></item></channel></rss>",
])
def test_a_feed_whose_root_element_ends_is_not_truncated(body):
    feed = parse_feed(body.encode(), url="http://e.example/f")
    assert (feed.truncated, [entry.title for entry in feed.entries]) == (False, ["A & B"])


def test_junk_before_the_xml_declaration_is_skipped():
    feed = parse_fixture("junk-before-xml-declaration.xml")
    assert feed.recovered is True
    assert feed.title == "PHP said something first"
    assert titles(feed) == ["Still readable"]


def test_well_formed_feeds_are_not_marked_recovered():
    assert parse_fixture("rss20-basic.xml").recovered is False


def test_leading_whitespace_is_not_an_error():
    body = b"\n\n  <?xml version='1.0'?><rss><channel><item><title>A</title></item></channel></rss>"
    feed = parse_feed(body, url="https://x.example/")
    assert (feed.recovered, titles(feed)) == (False, ["A"])


def rss_items(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>C</title>'
            + "".join(f"<item>{item}</item>\n" for item in items) + "</channel></rss>").encode()


def test_raw_html_with_void_elements_keeps_every_item_apart():
    feed = parse_feed(rss_items(
        "<title>One</title><description><p>x<br></p></description><link>https://v.example/1</link>",
        '<title>Two</title><link>https://v.example/2</link><description><img src="x.jpg"> hi</description>',
        "<title>Three</title><link>https://v.example/3</link><description>a<hr>b</description>",
        "<title>Four</title><link>https://v.example/4</link><description>plain</description>",
    ), url="https://v.example/feed")
    assert feed.recovered is True
    assert [(entry.title, entry.url, entry.content_html) for entry in feed.entries] == [
        ("One", "https://v.example/1", "<p>x<br/></p>"),
        ("Two", "https://v.example/2", '<img src="x.jpg"/> hi'),
        ("Three", "https://v.example/3", "a<hr/>b"),
        ("Four", "https://v.example/4", "plain"),
    ]


def test_unclosed_and_stray_tags_stay_inside_their_item():
    feed = parse_feed(rss_items(
        "<title>Open</title><description>Lead <b>bold <i>and more</description>"
        "<link>https://u.example/1</link><guid>g1</guid>",
        "<title>Stray</title><description>x</p> y</span></description><link>https://u.example/2</link>",
        "<title>Last</title><link>https://u.example/3</link>",
    ), url="https://u.example/feed")
    assert [(entry.title, entry.url) for entry in feed.entries] == [
        ("Open", "https://u.example/1"), ("Stray", "https://u.example/2"),
        ("Last", "https://u.example/3"),
    ]
    assert feed.entries[0].content_html == "Lead <b>bold <i>and more</i></b>"
    assert feed.entries[0].guid == "g1"
    assert feed.entries[1].content_html == "x y"


def test_an_item_left_open_ends_where_the_next_begins():
    body = ('<rss><channel><title>C</title><item><title>A</title><description>a <br> b'
            '</description><item><title>B</title></item></channel></rss>').encode()
    feed = parse_feed(body, url="https://x.example/")
    assert [(entry.title, entry.content_html) for entry in feed.entries] == [
        ("A", "a <br/> b"), ("B", ""),
    ]


def test_void_elements_already_closed_and_cdata_are_left_alone():
    feed = parse_feed(rss_items(
        "<title>Closed</title><description>a<br></br>b<img src='y'></img>&</description>",
        "<title>CDATA</title><description><![CDATA[<p>x<br></p>]]></description>",
    ), url="https://x.example/")
    assert [(entry.title, entry.content_html) for entry in feed.entries] == [
        ("Closed", "a<br/>b<img src=\"y\"/>&amp;"), ("CDATA", "<p>x<br></p>"),
    ]


def test_atom_entries_with_raw_html_content_are_each_recovered():
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            '<entry><title>One</title><content type="html"><p>x<br>y</p></content>'
            '<link href="https://a.example/1"/><id>1</id></entry>'
            '<entry><title>Two</title><id>2</id><content type="html"><img src="z.png"><p>open'
            '</content><link href="https://a.example/2"/></entry>'
            '<entry><title>Three</title><link href="https://a.example/3"/><id>3</id>'
            '<content type="html">fine</content></entry></feed>').encode()
    feed = parse_feed(body, url="https://a.example/feed")
    assert feed.recovered is True
    assert [(e.title, e.url, e.guid, e.content_html) for e in feed.entries] == [
        ("One", "https://a.example/1", "1", "<p>x<br/>y</p>"),
        ("Two", "https://a.example/2", "2", '<img src="z.png"/><p>open</p>'),
        ("Three", "https://a.example/3", "3", "fine"),
    ]


def test_html_attributes_in_raw_html_are_kept():
    [entry] = parse_feed(rss_items(
        "<title>Attrs</title><description>See <a href=/x target=_blank>this</a>"
        "<input disabled></description><guid isPermaLink=false>g</guid>",
    ), url="https://x.example/").entries
    assert entry.content_html == 'See <a href="/x" target="_blank">this</a><input disabled="disabled"/>'
    assert (entry.guid, entry.url) == ("g", None)


def test_an_end_tag_in_the_wrong_case_closes_its_element():
    feed = parse_feed(rss_items(
        "<title>Case</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubdate>"
        "<link>https://c.example/1</link><description>a<br>b</DESCRIPTION>",
        "<title>Next</title>",
    ), url="https://x.example/")
    assert [(entry.title, entry.url) for entry in feed.entries] == [
        ("Case", "https://c.example/1"), ("Next", None),
    ]
    assert feed.entries[0].published_raw == "Mon, 01 Jan 2024 10:00:00 GMT"
    assert feed.entries[0].content_html == "a<br/>b"


def test_balancing_leaves_well_formed_markup_as_it_is():
    for path in sorted(TESTDATA.glob("*.xml")):
        data = path.read_bytes()
        try:
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, load_dtd=False))
        except etree.XMLSyntaxError:
            continue
        assert balanced_tags(data) == data, path.name


def test_surrogate_pair_references_are_the_character_they_encode():
    """Java's and JavaScript's escapers write an emoji as two UTF-16 surrogate references;
    XML allows neither. The feed is read, the pair as its character, a lone one as U+FFFD."""
    body = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>好消息 &#55357;&#56832; 大家好</title><link>https://e.example/1</link>"
            "<description>表情 &#xD83D;&#xDE00; 在 &#xd800; 正文 &#56832;&#55357;</description></item>"
            "<item><title>第二条</title><link>https://e.example/2</link></item>"
            "</channel></rss>").encode()
    first, second = parse_feed(body, url="https://e.example/").entries
    assert first.title == "好消息 \U0001F600 大家好"
    assert first.content_html == "表情 \U0001F600 在 \ufffd 正文 \ufffd\ufffd"
    assert second.title == "第二条"


def test_html_entities_under_a_netscape_doctype_are_read():
    """RSS 0.91's DOCTYPE names a DTD that declares HTML's entities: libxml2 accepts
    &eacute; there without knowing it, and would leave it out."""
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE rss PUBLIC "-//Netscape '
            'Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
            "\n<rss version='0.91'><channel><title>Netscape&nbsp;Feed</title>"
            "<item><title>Caf&eacute; &amp; Bar&nbsp;&mdash; news</title>"
            "<link>https://e.example/n1</link><description>&pound;5 &copy;</description></item>"
            "</channel></rss>").encode("latin-1")
    feed = parse_feed(body, url="https://e.example/")
    assert feed.title == "Netscape\u00a0Feed"
    assert titles(feed) == ["Café & Bar\u00a0— news"]
    assert feed.entries[0].content_html == "£5 ©"


def test_a_stray_less_than_in_a_broken_feed_is_text():
    """Hand-made feeds leave "<" unescaped: PM2.5<35, revenue < $5M, and ASCII book-title
    marks <<人民日报>>. libxml2's recovery dropped the "<", and the words after it."""
    body = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>评论<<人民日报>>社论：PM2.5<35 才算达标</title><link>https://e.example/1</link>"
            "<description>北京今日PM2.5<35，空气质量优。温度>30度。</description></item>"
            "<item><title>Q1 revenue < $5M & more</title><link>https://e.example/2</link>"
            "<description><![CDATA[<p>kept <b>as</b> HTML</p>]]> margin <10%.</description></item>"
            "</channel></rss>").encode()
    feed = parse_feed(body, url="https://e.example/")
    assert feed.recovered is True
    assert titles(feed) == ["评论<<人民日报>>社论：PM2.5<35 才算达标", "Q1 revenue < $5M & more"]
    assert feed.entries[0].content_html == "北京今日PM2.5<35，空气质量优。温度>30度。"
    assert feed.entries[1].content_html == "<p>kept <b>as</b> HTML</p> margin <10%."
