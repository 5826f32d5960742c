import pytest

from newsvault.errors import FeedError
from newsvault.feeds import parse_feed

from .helpers import fixture_bytes

HTML_MESSAGE = ("parser: the response is an HTML page, not a feed "
                "(try `newsvault add` with the page URL to discover its feed)")


@pytest.mark.parametrize("fixture", ["html-page.html", "xhtml-page.html", "discovery-page.html"])
def test_html_pages_are_named_as_such(fixture):
    with pytest.raises(FeedError) as raised:
        parse_feed(fixture_bytes(fixture), url="https://x.example/", content_type="text/html")
    assert str(raised.value) == HTML_MESSAGE


@pytest.mark.parametrize("body", [
    b"<!-- hi -->\n<HTML><body>x</body></HTML>",
    b"<body><p>a page fragment</p></body>",
    b"\xef\xbb\xbf  <html lang='en'><p>broken & unclosed",
])
def test_html_pages_without_doctype(body):
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(body, url="https://x.example/")


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf"])
def test_empty_response(body):
    with pytest.raises(FeedError) as raised:
        parse_feed(body, url="https://x.example/")
    assert str(raised.value) == "parser: empty response"


def test_unknown_root_element():
    with pytest.raises(FeedError) as raised:
        parse_feed(fixture_bytes("unknown-root.xml"), url="https://x.example/")
    assert str(raised.value) == "parser: unknown format (root element <foo>)"


def test_plain_text_is_not_a_feed():
    with pytest.raises(FeedError, match=r"^parser: not a feed: neither XML nor JSON"):
        parse_feed(fixture_bytes("not-a-feed.txt"), url="https://x.example/")


def test_errors_are_feed_errors_with_the_parser_prefix():
    for body in (b"", b"<foo/>", b"{", b"[1, 2]", b"plain"):
        with pytest.raises(FeedError, match=r"^parser: "):
            parse_feed(body, url="https://x.example/")
