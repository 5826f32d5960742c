"""The files an item carries (a podcast's audio, a video, a document), shown after its
content: a player and a link for audio and video, a link for any other file. The archive
keeps their addresses, never the files: a reader's browser asks for them, and only when
the reader plays or follows one (``preload="none"``).

Pure: no I/O. The HTML made here goes through the sanitizer like any content.
"""

from html import escape
from urllib.parse import unquote, urlsplit

from newsvault.model import Attachment

_PLAYED = ("audio", "video")
_UNITS = ("KB", "MB", "GB", "TB")
_LEAST_MEDIA_BYTES = 1000


def attachments_html(attachments: list[Attachment], content: str) -> str:
    """A player or a link for each attachment that ``content`` (clean HTML) does not
    already play."""
    return "".join(_shown(attachment) for attachment in attachments
                   if f'src="{escape(attachment.url)}"' not in content)


def _shown(attachment: Attachment) -> str:
    url = escape(attachment.url)
    link = f'<a href="{url}">{escape(file_name(attachment.url))}</a>{_described(attachment)}'
    kind = _kind(attachment)
    if kind in _PLAYED:
        return (f'<figure><{kind} controls preload="none" src="{url}"></{kind}>'
                f"<figcaption>{link}</figcaption></figure>")
    return f"<p>{link}</p>"


def _kind(attachment: Attachment) -> str:
    return (attachment.mime_type or "").partition("/")[0]


def file_name(url: str) -> str:
    """The name a reader knows a file by: its path's last part, else its host."""
    parts = urlsplit(url)
    return unquote(parts.path.rstrip("/").rpartition("/")[2]) or parts.hostname or url


def _described(attachment: Attachment) -> str:
    length = attachment.length
    if length and length < _LEAST_MEDIA_BYTES and _kind(attachment) in _PLAYED:
        length = None  # a feed's placeholder (length="1"), no size of a recording
    said = [part for part in (attachment.mime_type, readable_size(length)) if part]
    return f" ({escape(', '.join(said))})" if said else ""


def readable_size(length: int | None) -> str | None:
    """A length in bytes as a reader reads it: 24986239 is "25.0 MB"."""
    if not length:
        return None
    if length < 1000:
        return f"{length} bytes"
    size, unit = length / 1000, 0
    while size >= 1000 and unit < len(_UNITS) - 1:
        size, unit = size / 1000, unit + 1
    return f"{size:.1f} {_UNITS[unit]}"
