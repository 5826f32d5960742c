from newsvault.feeds import parse_feed

from .helpers import parse_fixture, titles


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
    assert feed.recovered is True
    assert titles(feed)[:3] == ["完整条目 1", "完整条目 2", "完整条目 3"]
    assert [entry.content_html for entry in feed.entries[:3]] == [
        f"<p>第{n}条的正文。</p>" for n in (1, 2, 3)
    ]


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
