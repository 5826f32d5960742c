"""Find the feeds an HTML page announces with ``<link rel="alternate" type=...>``."""

from lxml import etree

from newsvault.feeds.encoding import html_charset
from newsvault.feeds.xml import absolute_url

FEED_TYPES = frozenset((
    "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
))


def discover_feed_urls(html: bytes, base_url: str) -> list[str]:
    """Absolute feed URLs announced by the page, in document order, without repeats."""
    root = _parse_html(html)
    if root is None:
        return []
    base = _document_base(root, base_url)
    urls: list[str] = []
    for link in root.iter("link"):
        if not _announces_feed(link):
            continue
        url = absolute_url(link.get("href"), base)
        if url and url not in urls:
            urls.append(url)
    return urls


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


def _announces_feed(link: etree._Element) -> bool:
    rel = (link.get("rel") or "").lower().split()
    kind = (link.get("type") or "").split(";")[0].strip().lower()
    return "alternate" in rel and kind in FEED_TYPES and bool((link.get("href") or "").strip())


def _document_base(root: etree._Element, page_url: str) -> str:
    """The page URL, as changed by a ``<base href>``."""
    for base in root.iter("base"):
        href = base.get("href")
        if href and href.strip():
            return absolute_url(href, page_url) or page_url
    return page_url
