"""Find the feeds an HTML page announces with ``<link rel="alternate" type=...>``."""

from lxml import etree

from newsvault.config import feed_url_as_http
from newsvault.feeds.encoding import html_charset
from newsvault.feeds.xml import absolute_url

FEED_TYPES = frozenset((
    "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
    "application/rdf+xml",  # RSS 1.0
))
# types a feed is sometimes announced with, but other things too: tried after the others
MAYBE_FEED_TYPES = frozenset(("text/xml", "application/xml", "application/x-rss+xml"))


def discover_feed_urls(html: bytes, base_url: str) -> list[str]:
    """Absolute feed URLs announced by the page (``rel="alternate"`` with a feed's type, or
    HTML5's ``rel="feed"``), in document order, those of a generic XML type last; without
    repeats."""
    root = _parse_html(html)
    if root is None:
        return []
    base = _document_base(root, base_url)
    sure: list[str] = []
    maybe: list[str] = []
    for link in root.iter("link"):
        found = _announced(link)
        if found is None:
            continue
        # feed://host/path, a browser's subscribe link, is http://host/path
        url = absolute_url(feed_url_as_http(link.get("href").strip()), base)
        if url and url not in sure and url not in maybe:
            (sure if found else maybe).append(url)
    return sure + maybe


def _parse_html(html: bytes) -> etree._Element | None:
    if not html.strip():
        return None
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(_tolerantly_decoded(html), parser)
    except (etree.ParserError, ValueError):
        return None


def _tolerantly_decoded(html: bytes) -> str:
    """The page as text, a wrong byte replaced: libxml2 stops reading a page at the first
    byte its charset cannot have, and the feed links may come after it."""
    charset = html_charset(html) or "utf-8"
    try:
        return html.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return html.decode("utf-8", errors="replace")


def _announced(link: etree._Element) -> bool | None:
    """True: the link announces a feed; False: perhaps (a generic XML type); None: not."""
    if not (link.get("href") or "").strip():
        return None
    rel = (link.get("rel") or "").lower().split()
    kind = (link.get("type") or "").split(";")[0].strip().lower()
    if kind in FEED_TYPES and ("alternate" in rel or "feed" in rel):
        return True
    if "feed" in rel and not kind:
        return True
    if kind in MAYBE_FEED_TYPES and "alternate" in rel:
        return False
    return None


def _document_base(root: etree._Element, page_url: str) -> str:
    """The page URL, as changed by a ``<base href>``."""
    for base in root.iter("base"):
        href = base.get("href")
        if href and href.strip():
            return absolute_url(href, page_url) or page_url
    return page_url
