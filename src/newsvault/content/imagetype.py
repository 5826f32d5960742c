"""Is a downloaded body an image, and which kind: from its first bytes, else its
Content-Type. SVG is refused: a page that links to the file could run its scripts."""

_MAGIC: list[tuple[bytes, int, str]] = [  # (signature, offset, extension)
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpg"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"BM", 0, "bmp"),
    (b"\x00\x00\x01\x00", 0, "ico"),
]

_BY_TYPE = {
    "image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/pjpeg": "jpg",
    "image/gif": "gif", "image/webp": "webp", "image/avif": "avif", "image/bmp": "bmp",
    "image/x-icon": "ico", "image/vnd.microsoft.icon": "ico", "image/heic": "heic",
    "image/tiff": "tiff",
}

# what the site's web server (and `newsvault serve`) send for each extension
CONTENT_TYPES = {extension: kind for kind, extension in reversed(_BY_TYPE.items())}


def image_extension(body: bytes, content_type: str | None) -> str | None:
    """The file extension for ``body`` if it is an image, else None."""
    sniffed = _sniff(body)
    if sniffed:
        return sniffed
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _BY_TYPE and not _looks_like_text(body):
        return _BY_TYPE[kind]
    return None


def _sniff(body: bytes) -> str | None:
    for signature, offset, extension in _MAGIC:
        if body[offset:offset + len(signature)] == signature:
            return extension
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    if body[4:8] == b"ftyp" and body[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


def _looks_like_text(body: bytes) -> bool:
    """An HTML error page or SVG sent with an image type."""
    head = body[:512].lstrip().lower()
    return head.startswith((b"<", b"{")) or not head
