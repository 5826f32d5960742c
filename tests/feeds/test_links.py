"""An item's link is a web page's: any other scheme (javascript:, data:, ...), however
spelled, is no link at all, in every format, after xml:base and relative resolution."""

import json

import pytest

from newsvault.feeds import parse_feed
from newsvault.store.identity import unique_entries

UNSAFE = [
    "javascript:alert(1)", "  JavaScript:alert(1)", "JAVASCRIPT:alert(1)",
    "jav&#x61;script:alert(1)", "java&#9;script:alert(1)", "&#x20;javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "mailto:a@example.com",
    "ftp://ftp.example.com/file", "file:///etc/passwd",
]


def rss_item(inner: str, item_attributes: str = "") -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
            f"<link>https://l.example/</link><item{item_attributes}><title>T</title>{inner}"
            f"</item></channel></rss>").encode()


@pytest.mark.parametrize("link", UNSAFE)
def test_an_unsafe_rss_link_is_no_link(link):
    [entry] = parse_feed(rss_item(f"<link>{link}</link>"), url="https://l.example/feed").entries
    assert entry.url is None


@pytest.mark.parametrize("link", UNSAFE)
def test_an_unsafe_atom_link_is_no_link(link):
    body = (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><link href="{link}"/>'
            f'<entry><id>1</id><title>T</title><link href="{link}"/></entry></feed>').encode()
    feed = parse_feed(body, url="https://l.example/feed")
    assert (feed.site_url, feed.entries[0].url) == (None, None)


@pytest.mark.parametrize("link", [link for link in UNSAFE if "&" not in link])
def test_an_unsafe_json_feed_link_is_no_link(link):
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "home_page_url": link,
                       "items": [{"id": "1", "url": link}]}).encode()
    feed = parse_feed(body, url="https://l.example/feed.json")
    assert (feed.site_url, feed.entries[0].url) == (None, None)


def test_an_unsafe_rdf_link_is_no_link():
    body = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>R</title>'
            "<link>javascript:alert(1)</link></channel>"
            '<item rdf:about="javascript:alert(2)"><title>T</title><link>data:,x</link></item>'
            "</rdf:RDF>").encode()
    feed = parse_feed(body, url="https://l.example/feed")
    assert (feed.site_url, feed.entries[0].url) == (None, None)
    assert feed.entries[0].guid == "javascript:alert(2)"  # an identifier, never a link


def test_links_are_checked_after_xml_base_resolution():
    feed = parse_feed(rss_item("<link>page.html</link>", ' xml:base="javascript:alert(1)//"'),
                      url="https://l.example/feed")
    assert feed.entries[0].url is None
    feed = parse_feed(rss_item("<link>//cdn.example/p</link><guid>g</guid>"),
                      url="https://l.example/feed")
    assert feed.entries[0].url == "https://cdn.example/p"


def test_an_unsafe_link_gives_way_to_the_next_candidate():
    rss = parse_feed(rss_item("<link>javascript:alert(1)</link><guid>https://l.example/g</guid>"),
                     url="https://l.example/feed")
    assert rss.entries[0].url == "https://l.example/g"  # the permalink guid
    atom = parse_feed(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id>'
        b'<link rel="alternate" type="text/html" href="javascript:alert(1)"/>'
        b'<link rel="alternate" href="https://l.example/a"/></entry></feed>',
        url="https://l.example/feed")
    assert atom.entries[0].url == "https://l.example/a"
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "1", "url": "javascript:alert(1)", "external_url": "https://l.example/e"}]})
    assert parse_feed(body.encode(), url="https://l.example/f").entries[0].url == "https://l.example/e"


def test_an_item_without_a_link_is_known_by_its_text():
    body = rss_item("<link>javascript:alert(1)</link><description>d</description>")
    [entry] = parse_feed(body, url="https://l.example/feed").entries
    [keyed] = unique_entries([entry])
    assert (entry.url, keyed.url_key) == (None, None)
    assert keyed.guid.startswith("hash:")
