"""The picture an item gives beside its content: Media RSS ``media:content`` (an image),
an image enclosure (RSS ``<enclosure>``, Atom ``<link rel="enclosure">``), then
``media:thumbnail``; JSON Feed's ``image``, ``banner_image`` or an image attachment.

Many outlets put an article's only picture there (its content is text), so an archive that
kept the content alone would lose it. The first of these kinds that names an image wins:
a thumbnail is a small copy of what the others name.
"""

import re
from collections.abc import Iterable

from lxml import etree

from newsvault.feeds.namespaces import MEDIA
from newsvault.feeds.xml import absolute_url, local_name, resolve_base

# a URL that names an image file, for the enclosures that say no type
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.I)
_CONTENT, _ENCLOSURE, _THUMBNAIL = 0, 1, 2


def picture(children: Iterable[etree._Element], base: str) -> str | None:
    """The picture named by an item's (or entry's) ``children``, resolved against
    ``base``; ``media:group`` is looked into."""
    best, best_rank = None, 3
    for element, rank in _candidates(children):
        if rank < best_rank and (url := _image_url(element, rank, base)):
            best, best_rank = url, rank
    return best


def json_picture(item: dict, base: str) -> str | None:
    """A JSON Feed item's picture."""
    for key in ("image", "banner_image"):
        value = item.get(key)
        if isinstance(value, str) and (url := absolute_url(value, base)):
            return url
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        if isinstance(attachment, dict) and str(attachment.get("mime_type", "")).startswith("image/"):
            url = attachment.get("url")
            if isinstance(url, str) and (url := absolute_url(url, base)):
                return url
    return None


def _candidates(children: Iterable[etree._Element]):
    for child in children:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == MEDIA + "group":
            yield from _candidates(child)
        elif tag == MEDIA + "content":
            yield child, _CONTENT
        elif tag == MEDIA + "thumbnail":
            yield child, _THUMBNAIL
        elif local_name(tag) == "enclosure" or (
                local_name(tag) == "link" and child.get("rel") == "enclosure"):
            yield child, _ENCLOSURE


def _image_url(element: etree._Element, rank: int, base: str) -> str | None:
    url = (element.get("url") or element.get("href") or "").strip()
    if not url or rank != _THUMBNAIL and not _is_image(element, url):
        return None
    return absolute_url(url, resolve_base(element, base))


def _is_image(element: etree._Element, url: str) -> bool:
    medium = (element.get("medium") or "").strip().lower()
    kind = (element.get("type") or "").strip().lower()
    if medium or kind:
        return medium == "image" or kind.startswith("image/")
    return bool(_IMAGE_PATH.search(url))
