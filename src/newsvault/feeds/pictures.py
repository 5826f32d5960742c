"""The picture an item gives beside its content: Media RSS ``media:content`` (an image),
an image enclosure (RSS ``<enclosure>``, Atom ``<link rel="enclosure">``), then
``media:thumbnail``; JSON Feed's ``image``, ``banner_image`` or an image attachment.

Many outlets put an article's only picture there (its content is text), so an archive that
kept the content alone would lose it. The first of these kinds that names an image wins:
a thumbnail is a small copy of what the others name.

The same elements name the files an item carries that are not pictures (its
:class:`~newsvault.model.Attachment`): a podcast's audio, a video, a document. They are
an enclosure of any other type, or a ``media:content`` of audio or video; JSON Feed's
attachments of any other type. Both are found in one pass over the item.
"""

import re
from collections.abc import Iterable

from lxml import etree

from newsvault.feeds.namespaces import MEDIA
from newsvault.feeds.xml import absolute_url, local_name, resolve_base
from newsvault.model import Attachment

# a URL that names an image file, for the enclosures that say no type
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.I)
_CONTENT, _ENCLOSURE, _THUMBNAIL = 0, 1, 2
# the type of a file named so, for the attachments that say no type
_FILE_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,4})(?:[?#]|$)")
_TYPES_BY_EXTENSION = {
    "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "oga": "audio/ogg",
    "ogg": "audio/ogg", "opus": "audio/opus", "wav": "audio/wav", "flac": "audio/flac",
    "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
    "ogv": "video/ogg", "pdf": "application/pdf", "epub": "application/epub+zip",
}


def item_media(children: Iterable[etree._Element], base: str
               ) -> tuple[str | None, list[Attachment]]:
    """The picture named by an item's (or entry's) ``children`` and the files it carries,
    resolved against ``base``; ``media:group`` is looked into."""
    best, best_rank, files = None, 3, {}
    for element, rank in _candidates(children):
        url = (element.get("url") or element.get("href") or "").strip()
        if not url:
            continue
        if rank == _THUMBNAIL or _is_image(element, url):
            if rank < best_rank and (url := absolute_url(url, resolve_base(element, base))):
                best, best_rank = url, rank
        elif rank == _ENCLOSURE or _is_audio_or_video(element):
            url = absolute_url(url, resolve_base(element, base))
            if url and url not in files:
                length = element.get("length") or element.get("fileSize")
                files[url] = Attachment(url, _mime_type(element.get("type"), url),
                                        _byte_count(length))
    return best, list(files.values())


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


def json_attachments(item: dict, base: str) -> list[Attachment]:
    """A JSON Feed item's attachments that are not images, each once."""
    attachments = item.get("attachments")
    files: dict[str, Attachment] = {}
    for attachment in attachments if isinstance(attachments, list) else ():
        if not isinstance(attachment, dict) or not isinstance(attachment.get("url"), str):
            continue
        url = absolute_url(attachment["url"], base)
        declared = attachment.get("mime_type")
        declared = declared if isinstance(declared, str) else None
        if not url or url in files or _named_image(declared, url):
            continue
        files[url] = Attachment(url, _mime_type(declared, url),
                                _byte_count(attachment.get("size_in_bytes")))
    return list(files.values())


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


def _is_image(element: etree._Element, url: str) -> bool:
    medium = (element.get("medium") or "").strip().lower()
    kind = (element.get("type") or "").strip().lower()
    if medium or kind:
        return medium == "image" or kind.startswith("image/")
    return bool(_IMAGE_PATH.search(url))


def _named_image(declared: str | None, url: str) -> bool:
    kind = (declared or "").strip().lower()
    return kind.startswith("image/") if kind else bool(_IMAGE_PATH.search(url))


def _is_audio_or_video(element: etree._Element) -> bool:
    """A media:content that is a podcast's audio or a video (not a page or a player)."""
    medium = (element.get("medium") or "").strip().lower()
    kind = (element.get("type") or "").strip().lower()
    return medium in ("audio", "video") or kind.startswith(("audio/", "video/"))


def _mime_type(declared: str | None, url: str) -> str | None:
    """The declared type without its parameters, or the one the file's name says."""
    kind = (declared or "").partition(";")[0].strip().lower()
    if kind:
        return kind
    extension = _FILE_EXTENSION.search(url)
    return _TYPES_BY_EXTENSION.get(extension.group(1).lower()) if extension else None


def _byte_count(value) -> int | None:
    """A length the feed gave, in bytes; None for none, or for 0 (many feeds' "unknown")."""
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdecimal() and len(value) < 19 else None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value > 0 else None
