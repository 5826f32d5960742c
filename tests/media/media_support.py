"""Small real images (made with Pillow) and a feed whose articles show them."""

import io
from html import escape

import pytest

Image = pytest.importorskip("PIL.Image", reason="pip install pillow")


def image_bytes(kind: str, size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    """A real ``kind`` ("PNG", "JPEG", "GIF") image of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=kind)
    return buffer.getvalue()


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, content HTML) items."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>Thu, 27 Jan 2022 0{index}:00:00 GMT</pubDate>"
        f"<description>{escape(html)}</description></item>"
        for index, (title, link, html) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>图片报</title><link>http://example.invalid/</link>{entries}"
            "</channel></rss>").encode()
