"""Atom 1.0 (and the older 0.3, same shape in another namespace), adapted to
:class:`~newsvault.model.Entry`."""

import copy

from lxml import etree

from newsvault.feeds.dates import first_date
from newsvault.feeds.media import video_description
from newsvault.feeds.namespaces import ATOM, ATOM_03, FEEDBURNER, MEDIA, XHTML
from newsvault.feeds.pictures import item_media
from newsvault.feeds.relative import base_in_effect, resolve_relative
from newsvault.feeds.rss import original_link
from newsvault.feeds.text import (
    distinct_summary, first_text, html_title, looks_like_html, plain_title, text_to_html, trimmed,
)
from newsvault.feeds.xml import XmlDocument, absolute_url, resolve_base
from newsvault.model import Entry, ParsedFeed

ATOM_ROOTS = frozenset((ATOM + "feed", ATOM_03 + "feed", "feed"))
_MEDIA_GROUP = MEDIA + "group"  # YouTube's feeds describe a video only in its media:group
_ORIGINAL_LINK = FEEDBURNER + "origLink"
_XHTML_ELEMENTS = XHTML + "*"
_XHTML_URI = XHTML[1:-1]
# Atom 0.3 called published "issued" and updated "modified".
_PUBLISHED_FIELDS = ("published", "issued", "created")
_UPDATED_FIELDS = ("updated", "modified")
_ENTRY_FIELDS = ("title", "id", "content", "summary", "author") + _PUBLISHED_FIELDS \
    + _UPDATED_FIELDS


def parse_atom(doc: XmlDocument, url: str) -> ParsedFeed:
    root = doc.root
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    base = resolve_base(root, url)
    title = feed_author = None
    links, entry_elements = [], []
    for child in root:
        name = _local_in(child.tag, namespace)
        if name == "entry":
            entry_elements.append(child)
        elif name == "link":
            links.append(child)
        elif name == "title" and title is None:
            title = text_construct(doc, child) or None
        elif name == "author" and feed_author is None:
            feed_author = _person_name(doc, child, namespace)
    entries = [
        _read_entry(doc, element, namespace, resolve_base(element, base), feed_author)
        for element in entry_elements
    ]
    return ParsedFeed(format="atom", entries=entries, title=title,
                      site_url=_alternate_link(links, base))


def _read_entry(doc: XmlDocument, entry: etree._Element, namespace: str, base: str,
                feed_author: str | None) -> Entry:
    fields: dict[str, etree._Element] = {}
    links, categories = [], []
    video = original = None
    for child in entry:
        if child.tag == _MEDIA_GROUP:
            video = child
            continue
        if child.tag == _ORIGINAL_LINK:
            original = child
            continue
        name = _local_in(child.tag, namespace)
        if name == "link":
            links.append(child)
        elif name == "category":
            categories.append(child)
        elif name in _ENTRY_FIELDS and name not in fields:
            fields[name] = child
    published_raw, published_ms = first_date(*(_trimmed_text(doc, fields.get(name))
                                               for name in _PUBLISHED_FIELDS))
    date_is_update = published_ms is None
    if date_is_update:
        updated = first_date(*(_trimmed_text(doc, fields.get(name)) for name in _UPDATED_FIELDS))
        if updated[1] is not None or published_raw is None:
            published_raw, published_ms = updated
    summary = _content_of(doc, fields.get("summary"), base)
    content = first_text(_content_of(doc, fields.get("content"), base), summary,
                         video_description(doc, video, base)) or ""
    author = _person_name(doc, fields["author"], namespace) if "author" in fields else None
    picture, attachments = item_media(entry, base)
    alternate = _alternate_link(links, base)
    url = original_link(doc, original, base) or alternate
    return Entry(
        title=text_construct(doc, fields["title"]) if "title" in fields else "",
        url=url,
        proxy_url=alternate if alternate != url else None,
        guid=_trimmed_text(doc, fields.get("id")),
        author=author or feed_author,
        published_raw=published_raw,
        published_ms=published_ms,
        date_is_update=date_is_update and published_ms is not None,
        content_html=content,
        summary=distinct_summary(summary, content),
        tags=_terms(categories),
        image=picture,
        attachments=attachments,
    )


def text_construct(doc: XmlDocument, element: etree._Element) -> str:
    """A title-like Atom text construct as plain text, trimmed."""
    kind = _construct_kind(element)
    if kind == "xhtml":
        return plain_title(doc.text(_xhtml_div(element)))
    if kind == "html":
        return html_title(doc.text(element))
    return plain_title(doc.text(element))


def content_construct(doc: XmlDocument, element: etree._Element) -> str | None:
    """Atom content or summary as HTML: html exactly as given, xhtml as the markup inside
    its div, text escaped into paragraphs."""
    kind = _construct_kind(element)
    if kind == "xhtml":
        return doc.markup(_unprefixed(_xhtml_div(element)))
    if kind == "html":
        return doc.markup(element)
    text = doc.text(element)
    # No type, which means text, yet HTML inside: a sloppy generator's, far more often than
    # text about tags ("How to use the <p> element" is such text, and stays it).
    if element.get("type") is None and looks_like_html(text):
        return text
    return text_to_html(text) if text.strip() else None


def _content_of(doc: XmlDocument, element: etree._Element | None, base: str) -> str | None:
    """Content or summary as HTML, its relative links resolved where xml:base says."""
    if element is None:
        return None
    html = content_construct(doc, element)
    return resolve_relative(html, base_in_effect(element, resolve_base(element, base)))


def _construct_kind(element: etree._Element) -> str:
    kind = (element.get("type") or "text").strip().lower()
    if "xhtml" in kind:
        return "xhtml"
    return "html" if "html" in kind else "text"


def _xhtml_div(element: etree._Element) -> etree._Element:
    for child in element:
        if child.tag == XHTML + "div":
            return child
    return element


def _unprefixed(div: etree._Element) -> etree._Element:
    """The div, or a copy of it whose XHTML elements are named without their prefix
    (``<xhtml:p>`` as ``<p>``, which HTML reads as a paragraph): its children serialize as
    HTML, as those of a div in the default namespace do."""
    if not any(prefix and uri == _XHTML_URI for prefix, uri in div.nsmap.items()):
        return div  # no XHTML element can have a prefix (one declared inside the div aside)
    div = copy.deepcopy(div)
    for element in div.iter(_XHTML_ELEMENTS):
        element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(div)
    return div


def _alternate_link(links: list[etree._Element], base: str) -> str | None:
    """The rel=alternate (or rel-less) web link, preferring an HTML one."""
    alternates = [link for link in links
                  if link.get("rel", "alternate").strip() == "alternate" and link.get("href")]
    alternates.sort(key=lambda link: not link.get("type", "").startswith("text/html"))
    for link in alternates:
        url = absolute_url(link.get("href"), resolve_base(link, base))
        if url:
            return url
    return None


def _person_name(doc: XmlDocument, person: etree._Element, namespace: str) -> str | None:
    for child in person:
        if _local_in(child.tag, namespace) == "name":
            return trimmed(doc.text(child))
    return trimmed(doc.text(person)) if len(person) == 0 else None  # <author>Name</author>, sloppy


def _terms(categories: list[etree._Element]) -> list[str]:
    """The categories' names: a label (RFC 4287's human-readable one) before a term, which
    may be a URL ("https://example.com/tags/go" labelled "Go")."""
    tags: list[str] = []
    for category in categories:
        name = trimmed(category.get("label")) or trimmed(category.get("term"))
        if name and name not in tags:
            tags.append(name)
    return tags


def _trimmed_text(doc: XmlDocument, element: etree._Element | None) -> str | None:
    return trimmed(doc.text(element)) if element is not None else None


def _local_in(tag, namespace: str) -> str | None:
    """The tag's local name if it is in ``namespace``, else None."""
    if isinstance(tag, str) and tag.startswith(namespace):
        name = tag[len(namespace):]
        return None if name.startswith("{") else name
    return None
