"""RSS 0.9x / 2.0, adapted to :class:`~newsvault.model.Entry`.

The item reader also serves RSS 1.0 (``rdf.py``): element names are looked up without
regard to which RSS namespace (none, RSS 1.0, 0.90, UserLand) the feed put them in.
RSS 2.0 titles are HTML in practice ("Tom &amp;amp; Jerry"), RSS 1.0 titles text.
"""

import re
from collections.abc import Callable

from lxml import etree

from newsvault.feeds.dates import first_date
from newsvault.feeds.namespaces import (
    ATOM, CONTENT, DC, FEEDBURNER, ITUNES, ITUNES_CAPITALIZED, MEDIA, RSS_090, RSS_10,
    RSS_USERLAND,
)
from newsvault.feeds.pictures import item_media
from newsvault.feeds.media import plain_text_as_html, video_description
from newsvault.feeds.relative import based_markup
from newsvault.feeds.text import distinct_summary, first_text, html_title, trimmed
from newsvault.feeds.xml import XmlDocument, absolute_url, local_name, resolve_base
from newsvault.model import Entry, ParsedFeed

_RSS_NAMESPACES = ("", RSS_10, RSS_090, RSS_USERLAND)
_ITEM_FIELDS = {
    namespace + name: name
    for namespace in _RSS_NAMESPACES
    for name in ("title", "link", "description", "guid", "author", "pubDate", "category")
}
_ITEM_FIELDS.update({
    DC + "creator": "dc:creator",
    DC + "date": "dc:date",
    DC + "subject": "category",
    CONTENT + "encoded": "content:encoded",
    MEDIA + "group": "media:group",
    MEDIA + "description": "media:description",
    ATOM + "link": "atom:link",
    FEEDBURNER + "origLink": "feedburner:origLink",
    **{itunes + name: "itunes:" + name
       for itunes in (ITUNES, ITUNES_CAPITALIZED) for name in ("summary", "image")},
})
_EMAIL_ADDRESS = re.compile(r"<?(?:mailto:)?[^\s@()<>]+@[^\s@()<>]+>?")
_REPEATED_FIELDS = frozenset(("category", "atom:link"))
_ITEM_TAGS = frozenset(namespace + "item" for namespace in _RSS_NAMESPACES)


def parse_rss(doc: XmlDocument, url: str) -> ParsedFeed:
    root = doc.root
    base = resolve_base(root, url)
    channel = find_channel(root)
    channel_base = resolve_base(channel, base) if channel is not None else base
    items = [child for child in (channel if channel is not None else ()) if is_item(child)]
    items += [child for child in root if is_item(child)]  # some RSS 0.9x put items beside channel
    title, site_url = channel_title_and_link(doc, channel, channel_base, html_title)
    entries = [read_item(doc, item, resolve_base(item, channel_base), html_title)
               for item in items]
    return ParsedFeed(format="rss", entries=entries, title=title, site_url=site_url)


def read_item(doc: XmlDocument, item: etree._Element, base: str,
              title_text: Callable[[str], str], fallback_guid: str | None = None) -> Entry:
    """One RSS (or RDF) item as an Entry; ``base`` is the item's resolved xml:base,
    ``title_text`` reads the title's text as the format means it."""
    fields = _item_fields(item)
    guid = trimmed(_text(doc, fields, "guid"))
    description = based_markup(doc, fields.get("description"), base)
    content = _content(doc, fields, description, base)
    published_raw, published_ms = first_date(_text(doc, fields, "pubDate"),
                                             _text(doc, fields, "dc:date"))
    url = _item_url(doc, fields, guid, base)
    original = original_link(doc, fields.get("feedburner:origLink"), base)
    proxy_url = None
    if original and original != url:
        # an item without a guid stays known by the link it was first archived under
        fallback_guid = fallback_guid or url
        url, proxy_url = original, url
    picture, attachments = item_media(item, base)
    return Entry(
        title=title_text(_text(doc, fields, "title") or ""),
        url=url,
        proxy_url=proxy_url,
        guid=guid or fallback_guid,
        author=_author(_text(doc, fields, "author"), _text(doc, fields, "dc:creator")),
        published_raw=published_raw,
        published_ms=published_ms,
        content_html=content or "",
        summary=distinct_summary(description, content or ""),
        tags=_tags(doc, fields.get("category", ())),
        image=picture or _episode_art(doc, fields.get("itunes:image"), base),
        attachments=attachments,
    )


def _item_fields(item: etree._Element) -> dict:
    """The item's known children by field name: the first of each, or a list for repeated ones."""
    fields: dict = {}
    for child in item:
        field = _ITEM_FIELDS.get(child.tag)
        if field is None:
            continue
        if field in _REPEATED_FIELDS:
            fields.setdefault(field, []).append(child)
        elif field not in fields:
            fields[field] = child
    return fields


def _content(doc: XmlDocument, fields: dict, description: str | None, base: str) -> str | None:
    """The fullest content: content:encoded, then media:group's description (a video's),
    then the description, then an item's own media:description. The last is last because
    outlets such as the New York Times put a photo's caption there, beside the article's
    description. Then, for a podcast's episode with none of them, its itunes:summary."""
    return first_text(based_markup(doc, fields.get("content:encoded"), base),
                      video_description(doc, fields.get("media:group"), base),
                      description,
                      plain_text_as_html(doc, fields.get("media:description"), base)) \
        or plain_text_as_html(doc, fields.get("itunes:summary"), base)


def _episode_art(doc: XmlDocument, image: etree._Element | None, base: str) -> str | None:
    """An itunes:image's picture: its href, or, as some hosts write it, its text."""
    if image is None:
        return None
    return absolute_url(image.get("href") or doc.text(image), resolve_base(image, base))


def _author(author: str | None, creator: str | None) -> str | None:
    """The name of the item's author. RSS's ``author`` is an email address, with the name
    beside it by convention (``jdoe@example.com (John Doe)``): the name is taken, as
    feedparser takes it; an address alone gives way to ``dc:creator``, and is kept when
    there is none (the only word of who wrote it)."""
    author, creator = trimmed(author), trimmed(creator)
    if author is None or "@" not in author:
        return author or creator
    return _name_beside_address(author) or creator or author


def _name_beside_address(author: str) -> str | None:
    name = _EMAIL_ADDRESS.sub("", author, count=1).replace("()", "").strip()
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1].strip()
    return name or None


def _item_url(doc: XmlDocument, fields: dict, guid: str | None, base: str) -> str | None:
    """The first web link of: the link, an atom:link alternate, a permalink guid."""
    link = fields.get("link")
    if link is not None:
        url = absolute_url(doc.text(link), resolve_base(link, base))
        if url:
            return url
    for atom_link in fields.get("atom:link", ()):
        if atom_link.get("rel", "alternate") == "alternate" and atom_link.get("href"):
            url = absolute_url(atom_link.get("href"), resolve_base(atom_link, base))
            if url:
                return url
    permalink = guid and fields["guid"].get("isPermaLink", "true").lower() != "false"
    if permalink and _looks_like_url(guid):
        return absolute_url(guid, base)
    return None


def original_link(doc: XmlDocument, element: etree._Element | None, base: str) -> str | None:
    """FeedBurner's ``origLink`` (RSS and Atom): the article's own address, where the
    item's link is a feedproxy.google.com redirect (dead since Google closed it); Miniflux
    prefers it too."""
    if element is None:
        return None
    return absolute_url(doc.text(element), resolve_base(element, base))


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//"))


def _tags(doc: XmlDocument, categories) -> list[str]:
    tags: list[str] = []
    for category in categories:
        tag = doc.text(category).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _text(doc: XmlDocument, fields: dict, name: str) -> str | None:
    element = fields.get(name)
    return doc.text(element) if element is not None else None


def channel_title_and_link(doc: XmlDocument, channel: etree._Element | None, base: str,
                           title_text: Callable[[str], str]) -> tuple[str | None, str | None]:
    title = site_url = None
    for child in channel if channel is not None else ():
        if not isinstance(child.tag, str):
            continue
        name = _ITEM_FIELDS.get(child.tag)
        if name == "title" and title is None:
            title = title_text(doc.text(child)) or None
        elif name == "link" and site_url is None:
            site_url = absolute_url(doc.text(child), resolve_base(child, base))
    return title, site_url


def find_channel(root: etree._Element) -> etree._Element | None:
    for child in root:
        if isinstance(child.tag, str) and local_name(child.tag) == "channel":
            return child
    return None


def is_item(element: etree._Element) -> bool:
    return element.tag in _ITEM_TAGS
