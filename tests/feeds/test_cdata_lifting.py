"""Large CDATA sections are lifted out before libxml2 parses (see feeds/xml.py). These
tests prove the result is the same as parsing them in place."""

import pytest
from hypothesis import given, settings, strategies as st

import newsvault.feeds.xml as feeds_xml
from newsvault.feeds import parse_feed


def parse_both_ways(body: bytes, monkeypatch):
    lifted = parse_feed(body, url="https://x.example/")
    with monkeypatch.context() as patch:
        patch.setattr(feeds_xml, "_LIFT_MIN_BYTES", 10**9)
        in_place = parse_feed(body, url="https://x.example/")
    return lifted, in_place


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rss_with(description: str, title: str = "T") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss><channel><item><title>{title}</title>'
            f"<description>{description}</description></item></channel></rss>").encode()


content_text = st.text(
    st.sampled_from(list("ab <>&]\r\n\t'\"") + ["中", "文", "\ue000", "\ue001", "0", "é", "😀"]),
    min_size=0, max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(content_text)
def test_lifted_content_equals_content_parsed_in_place(text):
    monkeypatch = pytest.MonkeyPatch()
    try:
        body = rss_with(cdata(text) + cdata("长" * 60))
        lifted, in_place = parse_both_ways(body, monkeypatch)
    finally:
        monkeypatch.undo()
    assert lifted == in_place
    expected = (text + "长" * 60).replace("\r\n", "\n").replace("\r", "\n")
    assert lifted.entries[0].content_html == expected


def test_lifted_section_inside_mixed_content_is_escaped_like_text(monkeypatch):
    body = rss_with("Lead <b>bold</b> " + cdata("<p>" + "字" * 80 + "</p>") + " tail")
    lifted, in_place = parse_both_ways(body, monkeypatch)
    assert lifted == in_place
    assert lifted.entries[0].content_html == "Lead <b>bold</b> &lt;p&gt;" + "字" * 80 + "&lt;/p&gt; tail"


def test_cdata_opener_inside_a_comment_is_not_lifted(monkeypatch):
    big = "<p>" + "x" * 300 + "</p>"
    body = ('<rss><channel><!-- say <![CDATA[ in a comment --><item><title>A</title>'
            f"<description>{cdata(big)}</description></item>"
            f"<item><title>B</title><description>{cdata(big)}</description></item></channel></rss>").encode()
    lifted, in_place = parse_both_ways(body, monkeypatch)
    assert lifted == in_place
    assert [entry.title for entry in lifted.entries] == ["A", "B"]
    assert lifted.entries[1].content_html == big


def test_private_use_characters_in_markup_disable_lifting(monkeypatch):
    big = "<p>" + "y" * 300 + "</p>"
    body = rss_with(cdata(big), title="\ue0000\ue001 token look-alike")
    lifted, in_place = parse_both_ways(body, monkeypatch)
    assert lifted == in_place
    assert lifted.entries[0].title == "\ue0000\ue001 token look-alike"
    assert lifted.entries[0].content_html == big


def test_lifted_sections_in_a_recovered_feed(monkeypatch):
    big = "<p>" + "z&" * 200 + "</p>"
    body = rss_with(cdata(big), title="Fish & chips")
    lifted, in_place = parse_both_ways(body, monkeypatch)
    assert lifted == in_place
    assert lifted.recovered is True
    assert (lifted.entries[0].title, lifted.entries[0].content_html) == ("Fish & chips", big)


def test_many_closing_brackets_in_a_lifted_section(monkeypatch):
    text = "[1] a]b ]] " * 100 + "]"
    body = rss_with(cdata(text + "x" * 200))
    lifted, in_place = parse_both_ways(body, monkeypatch)
    assert lifted == in_place
    assert lifted.entries[0].content_html == text + "x" * 200
