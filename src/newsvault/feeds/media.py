"""Media RSS's text, which RSS items and Atom entries (YouTube's) share, and other text
that a spec makes plain but feeds fill with HTML as often (a podcast's itunes:summary)."""

from lxml import etree

from newsvault.feeds.namespaces import MEDIA
from newsvault.feeds.relative import based_markup
from newsvault.feeds.text import has_text, looks_like_html, text_to_html
from newsvault.feeds.xml import XmlDocument


def video_description(doc: XmlDocument, group: etree._Element | None, base: str) -> str | None:
    """A ``media:group``'s ``media:description`` (a video's) as HTML, if it has text;
    ``base``: the resolved base of the item or entry."""
    return plain_text_as_html(doc, None if group is None else group.find(MEDIA + "description"),
                              base)


def plain_text_as_html(doc: XmlDocument, element: etree._Element | None,
                       base: str) -> str | None:
    """The text of an element that is plain text by its spec (Media RSS's description
    without ``type="html"``, itunes:summary) as HTML: escaped, its blank lines paragraphs
    and its line breaks ``<br>`` (a video's description is lines), unless it holds HTML, as
    many feeds put there; None when it has no text."""
    if element is None:
        return None
    markup = based_markup(doc, element, base)
    if not has_text(markup):
        return None
    if element.get("type") == "html" or looks_like_html(markup):
        return markup
    return text_to_html(doc.text(element))
