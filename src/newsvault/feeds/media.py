"""Media RSS's text, which RSS items and Atom entries (YouTube's) share."""

from lxml import etree

from newsvault.feeds.namespaces import MEDIA
from newsvault.feeds.relative import based_markup
from newsvault.feeds.text import has_text
from newsvault.feeds.xml import XmlDocument


def video_description(doc: XmlDocument, group: etree._Element | None, base: str) -> str | None:
    """The markup of a ``media:group``'s ``media:description`` (a video's), if it has text;
    ``base``: the resolved base of the item or entry."""
    if group is None:
        return None
    description = group.find(MEDIA + "description")
    markup = based_markup(doc, description, base)
    return markup if has_text(markup) else None
