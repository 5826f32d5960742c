"""Conversions between plain text and HTML that the format adapters share."""

import html
import re

_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LOOKS_LIKE_MARKUP = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*[\s/>]|/[A-Za-z]|!--)")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment (for titles marked as HTML)."""
    return html.unescape(_TAG.sub("", markup)).strip()


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs; single newlines become <br>."""
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    return "".join(
        f"<p>{html.escape(paragraph, quote=False).replace(chr(10), '<br>')}</p>"
        for paragraph in paragraphs if paragraph.strip()
    )


def looks_like_html(text: str) -> bool:
    return _LOOKS_LIKE_MARKUP.search(text) is not None


def has_text(value: str | None) -> bool:
    return bool(value) and not value.isspace()


def first_text(*values: str | None) -> str | None:
    """The first value with non-blank text, unchanged."""
    for value in values:
        if has_text(value):
            return value
    return None


def trimmed(value: str | None) -> str | None:
    """``value`` without surrounding whitespace; None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def distinct_summary(summary: str | None, content_html: str) -> str | None:
    return summary if has_text(summary) and summary != content_html else None
