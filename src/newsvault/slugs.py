"""Jekyll's names for things: its default ``slugify``, and the slug it gives a post file
(the ``:title`` of its permalink). The export keeps new post names apart by it, and the
site makes its article folders with it."""

import re
import unicodedata

_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.*?)(\.[^.]*)?\Z", re.DOTALL)
_HYPHENS = re.compile("-{2,}")
_ASCII_RUNS = re.compile(r"[^a-z0-9]+")


class _SlugChars(dict):
    """For str.translate: a character Jekyll keeps maps to itself, any other to "-"
    (decided once per character, then looked up in C)."""

    def __missing__(self, code: int) -> str:
        category = unicodedata.category(chr(code))
        kept = category[0] in "LM" or category == "Nd"
        self[code] = value = chr(code) if kept else "-"
        return value


_SLUG_CHARS = _SlugChars()


def slugify(text: str) -> str:
    """Jekyll's ``Utils.slugify`` in its default mode."""
    lowered = text.lower()
    if lowered.isascii():
        return _ASCII_RUNS.sub("-", lowered).strip("-")
    return _HYPHENS.sub("-", lowered.translate(_SLUG_CHARS)).strip("-")


def post_slug(post_name: str) -> str:
    """The slug Jekyll gives the post file ``post_name``."""
    match = _DATED_NAME.match(post_name)
    stem = match.group(2) if match else post_name.rsplit(".", 1)[0]
    return slugify(stem.rstrip("."))


def name_day(post_name: str) -> str | None:
    match = _DATED_NAME.match(post_name)
    return match.group(1) if match else None
