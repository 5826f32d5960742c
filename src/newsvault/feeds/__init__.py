"""Feed parsing: a response body of any format and charset becomes one :class:`ParsedFeed`.

``parse_feed`` finds out what the body is (JSON Feed, an HTML page, XML), decodes it, and
hands the XML root to the adapter of its format (``rss``, ``rdf``, ``atom``, ``jsonfeed``).
"""

import re
from datetime import tzinfo

from lxml import etree

from newsvault.errors import FeedError
from newsvault.feeds.atom import ATOM_ROOTS, parse_atom
from newsvault.feeds.dates import in_local_time, parse_date
from newsvault.feeds.discovery import discover_feed_urls
from newsvault.feeds.encoding import to_utf8
from newsvault.feeds.jsonfeed import parse_json_feed
from newsvault.feeds.namespaces import XHTML
from newsvault.feeds.opml import OpmlOutline, read_opml, write_opml
from newsvault.feeds.rdf import RDF_ROOT, parse_rdf
from newsvault.feeds.rss import parse_rss
from newsvault.feeds.xml import local_name, parse_xml
from newsvault.model import ParsedFeed

__all__ = [
    "OpmlOutline", "discover_feed_urls", "parse_date", "parse_feed", "read_opml", "write_opml",
]

HTML_PAGE_MESSAGE = (
    "parser: the response is an HTML page, not a feed "
    "(try `newsvault add` with the page URL to discover its feed)"
)
_HTML_START = re.compile(
    rb"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 2048
_ITEM_START = re.compile(rb"<(?:item|entry)[\s>/]")
_ITEM_END = re.compile(rb"</(?:item|entry)\s*>")


def parse_feed(body: bytes, *, url: str, content_type: str | None = None,
               local_zone: tzinfo | None = None) -> ParsedFeed:
    """Parse an RSS, RDF, Atom or JSON feed; raise FeedError when the body is none of them.
    ``local_zone``: where a date that names no zone is read (see dates.in_local_time);
    without it, in UTC."""
    try:
        feed = _parse(to_utf8(body, content_type, verify=False), url, content_type, False)
    except UnicodeDecodeError:  # said or presumed to be UTF-8, and it was not
        feed = _parse(to_utf8(body, content_type), url, content_type, True)
    if local_zone is not None:
        for entry in feed.entries:
            if entry.published_ms is not None and entry.published_raw:
                entry.published_ms = in_local_time(entry.published_raw, entry.published_ms,
                                                   local_zone)
    return feed


def _parse(data: bytes, url: str, content_type: str | None, utf8_verified: bool) -> ParsedFeed:
    if data[:1].isspace():
        data = data.lstrip()  # whitespace before the XML declaration is an error to libxml2
    if not data:
        raise FeedError("parser: empty response")
    head = data[:_SNIFF_BYTES]
    if head.startswith(b"{") or (_says_json(content_type) and not head.startswith(b"<")):
        return parse_json_feed(data, url)
    if _HTML_START.match(head):
        raise FeedError(HTML_PAGE_MESSAGE)
    doc = parse_xml(data, utf8_verified)
    if doc is None:
        raise FeedError(f"parser: not a feed: neither XML nor JSON (starts with {_preview(head)})")
    feed = _adapter_for(doc.root)(doc, url)
    feed.recovered = doc.recovered
    feed.truncated = doc.recovered and not _closes_its_root(data, doc.root)
    if doc.recovered and feed.entries and _ends_inside_an_item(data):
        feed.entries.pop()  # half a title, a link cut short: no article, nor an edit
    return feed


def _closes_its_root(data: bytes, root: etree._Element) -> bool:
    """Whether the document has its root's end tag (``</rss>``): a body cut short has not,
    and libxml2's recovery closes it as if it were whole."""
    name = re.escape(local_name(root.tag).encode())
    return re.search(rb"</(?:[\w.-]+:)?" + name + rb"\s*>", data) is not None


def _ends_inside_an_item(data: bytes) -> bool:
    """Whether the document ends inside its last item (a body cut short): libxml2's
    recovery closes it, as if it were whole."""
    last_start = max((match.start() for match in _ITEM_START.finditer(data)), default=None)
    return last_start is not None and _ITEM_END.search(data, last_start) is None


def _adapter_for(root: etree._Element):
    tag = root.tag
    if tag in ATOM_ROOTS:
        return parse_atom
    if tag == RDF_ROOT:
        return parse_rdf
    name = local_name(tag)
    if name == "rss":
        return parse_rss
    if tag.startswith(XHTML) or name.lower() in ("html", "head", "body"):
        raise FeedError(HTML_PAGE_MESSAGE)
    raise FeedError(f"parser: unknown format (root element <{name}>)")


def _says_json(content_type: str | None) -> bool:
    return bool(content_type) and "json" in content_type.lower()


def _preview(head: bytes) -> str:
    return repr(head[:40].decode("utf-8", errors="replace"))
