"""OPML subscription lists in and out.

Tags travel two ways: as the text of the outline a feed is nested in (what most readers
write and read) and in the OPML 2.0 ``category`` attribute (so that several tags round-trip).
"""

from dataclasses import dataclass, field

from lxml import etree

from newsvault.errors import FeedError
from newsvault.feeds.encoding import to_utf8
from newsvault.feeds.xml import local_name, parse_xml


@dataclass(slots=True)
class OpmlOutline:
    name: str
    url: str
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OpmlFile:
    outlines: list[OpmlOutline]
    damaged: bool  # not well-formed (cut off, say): these are the outlines that could be read


def read_opml(data: bytes) -> OpmlFile:
    """Every outline with an ``xmlUrl``, in document order, each feed once; the names of
    the outlines it is in become its tags (those of all the folders it is listed in)."""
    doc = parse_xml(to_utf8(data).lstrip())
    if doc is None:
        raise FeedError("opml: not an XML document")
    root = doc.root
    if local_name(root.tag).lower() != "opml":
        raise FeedError(f"opml: not an OPML document (root element <{local_name(root.tag)}>)")
    # a default namespace (<opml xmlns="…">, some exporters write one) changes no name
    body = next((child for child in root if _named(child, "body")), root)
    outlines: list[OpmlOutline] = []
    _collect(body, [], outlines)
    return OpmlFile(_merged(outlines), doc.recovered)


def write_opml(outlines: list[OpmlOutline], title: str = "newsvault sources") -> bytes:
    """OPML 2.0, UTF-8. Consecutive outlines that share a first tag are nested under it."""
    root = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(root, "head"), "title").text = title
    body = etree.SubElement(root, "body")
    group, group_tag = body, None
    for outline in outlines:
        first_tag = outline.tags[0] if outline.tags else None
        if first_tag != group_tag:
            group, group_tag = body, first_tag
            if first_tag is not None:
                group = etree.SubElement(body, "outline", text=first_tag, title=first_tag)
        element = etree.SubElement(group, "outline", type="rss", text=outline.name,
                                   title=outline.name, xmlUrl=outline.url)
        if outline.tags:
            element.set("category", ",".join(outline.tags))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _collect(parent: etree._Element, tags: list[str], found: list[OpmlOutline]) -> None:
    for element in parent:
        if not _named(element, "outline"):
            continue
        label = (element.get("text") or element.get("title") or "").strip()
        url = _attribute(element, "xmlUrl") or _feed_url_attribute(element)
        if url:
            own_tags = tags + _categories(element.get("category"))
            found.append(OpmlOutline(name=label or url, url=url, tags=_unique(own_tags)))
        # a feed is no folder: what a cut-off file nests in it is not tagged with its name
        _collect(element, tags + [label] if label and not url else tags, found)


def _named(element: etree._Element, name: str) -> bool:
    return isinstance(element.tag, str) and local_name(element.tag) == name


def _feed_url_attribute(element: etree._Element) -> str | None:
    """A feed some readers give in ``url`` (OPML's attribute for links and includes) with
    the outline's type saying it is a feed."""
    kind = (element.get("type") or "").strip().lower()
    return _attribute(element, "url") if kind in ("rss", "atom", "feed") else None


def _merged(outlines: list[OpmlOutline]) -> list[OpmlOutline]:
    """One outline per feed URL, the first, with the tags of every listing of it."""
    by_url: dict[str, OpmlOutline] = {}
    for outline in outlines:
        first = by_url.setdefault(outline.url, outline)
        if first is not outline:
            first.tags = _unique(first.tags + outline.tags)
    return list(by_url.values())


def _attribute(element: etree._Element, name: str) -> str | None:
    """An attribute whatever its case (``xmlUrl``, ``xmlurl``, ``XMLURL`` are all written)."""
    value = element.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in element.attrib.items() if k.lower() == lowered), None)
    return value.strip() if value and value.strip() else None


def _categories(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip().strip("/").strip() for part in value.split(",") if part.strip("/ ")]


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag for tag in tags if tag))
