"""Post file names: ``YYYY-MM-DD-<title>.md``, safe on Linux, macOS and Windows, and unique.

The title part is the title with:

- the characters Windows forbids, ``/ \\ : * ? " < > |``, replaced by their full-width
  look-alikes ``／ ＼ ： ＊ ？ ＂ ＜ ＞ ｜`` (readable, and common in Chinese titles already);
- line breaks and tabs turned into spaces; control characters, lone surrogates,
  U+FFFE/U+FFFF and the bidirectional overrides/isolates (U+202A-202E, U+2066-2069) dropped;
- a run of two or more dots turned into "…" (no ``..`` in a name);
- leading and trailing spaces and dots stripped;
- cut to 50 characters, as the old system did, and further (on a character boundary) when the
  whole name would pass 255 bytes of UTF-8; ``untitled`` when nothing is left, and after
  a title with no letter or digit (``🔥🔥🔥 untitled``: Jekyll's URL of it would be ".html").

A name already in ``taken`` (compared case-insensitively and after NFC normalisation, as
macOS and Windows compare; and, for a ``TakenNames``, by the day and slug Jekyll makes its
URL of) gets ``-2``, ``-3``… before ``.md``. Keeping a post's name when
its title changes is the caller's job: it stores the name.

A name newsvault did not make (an imported post's) is kept unless ``unsafe_reason`` finds
something that breaks it on one of the three systems; being longer or odder than the names
newsvault makes is no reason.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable

from newsvault.slugs import post_slug, slugify

MAX_TITLE_CHARS = 50
_UNTITLED = " untitled"  # after a title of no letter or digit, for Jekyll's URL
MAX_NAME_BYTES = 255
SUFFIX = ".md"

_LOOKALIKES = str.maketrans({
    "/": "／", "\\": "＼", ":": "：", "*": "＊", "?": "？", '"': "＂", "<": "＜", ">": "＞",
    "|": "｜", "\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " ", "\x85": " ",
    "\u2028": " ", "\u2029": " ",
})
_DROPPED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_DOTS = re.compile(r"\.{2,}")
_EDGES = re.compile(r"\A[\s.]+|[\s.]+\Z")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

_FORBIDDEN = re.compile('[/\\\\:*?"<>|]')
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # bytes that were not UTF-8, as Python reads them
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)


def _clean_part(text: str) -> str:
    text = _DROPPED.sub("", text.translate(_LOOKALIKES))
    return _EDGES.sub("", _DOTS.sub("…", text))


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:max(limit, 0)].decode("utf-8", "ignore")


def fold_name(name: str) -> str:
    """``name`` as macOS and Windows compare names: case-insensitively, after NFC."""
    return unicodedata.normalize("NFC", name).casefold()


class TakenNames:
    """Names as macOS and Windows compare them (case-insensitively, after NFC
    normalisation), and as Jekyll makes URLs of them: a post's day and the slug of its
    title ("a?b", "a b" and "A-B" on one day are one URL, and Jekyll writes only one).

    ``url_names``: the names whose URLs count (default: ``names``). The slugs of a day's
    names are made the first time a name of that day is asked about: naming a few new
    posts must not slug every name of a large archive.

    The day of a URL is the file name's, and, in a site that sets its ``timezone``, the
    day the post's date falls on there (07:30 in Beijing is the day before in UTC): a name
    asked about with its ``local_day`` is checked against the names ``local_names(day)``
    gives (the posts whose date falls on that day) as well."""

    __slots__ = ("folded", "_names_by_day", "_slugs_by_day", "_local_names", "_local_slugs_by_day")

    def __init__(self, names=(), url_names=None,
                 local_names: "Callable[[str], Iterable[str]] | None" = None):
        names = list(names)
        self.folded = {fold_name(name) for name in names}
        self._names_by_day: dict[str, list[str]] = {}
        self._slugs_by_day: dict[str, set[str]] = {}
        self._local_names = local_names
        self._local_slugs_by_day: dict[str, set[str]] = {}
        for name in names if url_names is None else url_names:
            self._names_by_day.setdefault(name[:10], []).append(name)

    def __contains__(self, name: str) -> bool:
        return fold_name(name) in self.folded or self.has_url_of(name)

    def __len__(self) -> int:
        return len(self.folded)

    def has_url_of(self, name: str, local_day: str | None = None) -> bool:
        """Whether a name here has the Jekyll URL ``name`` would have."""
        slug = post_slug(name)
        return slug in self._slugs(name[:10]) or (
            local_day is not None and slug in self._local_slugs(local_day))

    def add(self, name: str, local_day: str | None = None) -> None:
        self.folded.add(fold_name(name))
        slug = post_slug(name)
        self._slugs(name[:10]).add(slug)
        if local_day is not None:
            self._local_slugs(local_day).add(slug)

    def _local_slugs(self, day: str) -> set[str]:
        slugs = self._local_slugs_by_day.get(day)
        if slugs is None:
            names = self._local_names(day) if self._local_names is not None else ()
            slugs = self._local_slugs_by_day[day] = {post_slug(name) for name in names}
        return slugs

    def _slugs(self, day: str) -> set[str]:
        slugs = self._slugs_by_day.get(day)
        if slugs is None:
            slugs = self._slugs_by_day[day] = {
                post_slug(name) for name in self._names_by_day.pop(day, ())}
        return slugs


# The folded names of the last plain ``taken`` set seen, so that naming n posts is O(n), not
# O(n²). It is rebuilt whenever the set or its size changes (the callers only ever add names).
_folded_cache: tuple[set[str], int, set[str]] | None = None


def _folded(taken: set[str]) -> set[str]:
    global _folded_cache
    cached = _folded_cache
    if cached is not None and cached[0] is taken and cached[1] == len(taken):
        return cached[2]
    folded = {fold_name(name) for name in taken}
    _folded_cache = (taken, len(taken), folded)
    return folded


def post_filename(day: str, title: str, taken: "set[str] | TakenNames",
                  local_day: str | None = None) -> str:
    """A safe name ``YYYY-MM-DD-<title part>.md`` not in ``taken``; it is added to ``taken``.

    ``day`` should be ``YYYY-MM-DD``; anything else is cleaned like a title (``undated``
    when nothing is left) rather than refused.
    ``local_day``: the day the post's date falls on in the site's zone (see ``TakenNames``).
    """
    global _folded_cache
    if not _DAY.match(day):
        day = _clean_part(day)[:10].rstrip(" .") or "undated"
    part = _clean_part(title)[:MAX_TITLE_CHARS]
    if not slugify(part):  # no letter or digit: Jekyll's URL of it would be ".html"
        part = f"{part[:MAX_TITLE_CHARS - len(_UNTITLED)].rstrip()}{_UNTITLED}".lstrip()
    folded = taken.folded if isinstance(taken, TakenNames) else _folded(taken)
    by_url = taken if isinstance(taken, TakenNames) else None
    number = 1
    while True:
        tail = f"-{number}{SUFFIX}" if number > 1 else SUFFIX
        budget = MAX_NAME_BYTES - len(day.encode("utf-8")) - 1 - len(tail.encode("utf-8"))
        cut = _EDGES.sub("", _cut_bytes(part, budget)) or "untitled"
        name = f"{day}-{cut}{tail}"
        key = fold_name(name)
        if key not in folded and (by_url is None or not by_url.has_url_of(name, local_day)):
            break
        number += 1
    if by_url is not None:
        by_url.add(name, local_day)
    else:
        taken.add(name)
        folded.add(key)
        _folded_cache = (taken, len(taken), folded)
    return name


def repaired_name(name: str) -> str | None:
    """``name`` with its forbidden characters written as their full-width look-alikes and
    its control characters dropped, when that makes it safe; else None. Jekyll slugs a
    look-alike as it slugs the character (both end a word), so the post keeps its URL."""
    repaired = _DROPPED.sub("", name.translate(_LOOKALIKES))
    return repaired if unsafe_reason(repaired) is None else None


def unsafe_reason(name: str) -> str | None:
    """Why ``name`` cannot be written as-is on Linux, macOS or Windows; None when it can.

    Only what breaks a name counts: a character Windows forbids, a control character, bytes
    that are not UTF-8, a leading dot (hidden), more than 255 bytes of UTF-8, a trailing dot or
    space (Windows drops it), a Windows device name (``CON``, ``nul.md``, ``com1.txt``...).
    ``..`` inside a name, or a space before the extension, harm nothing and are kept.
    """
    if not name:
        return "empty name"
    forbidden = _FORBIDDEN.search(name)
    if forbidden is not None:
        return f"{forbidden.group()!r} is not allowed in a file name on Windows"
    if _CONTROL.search(name) is not None:
        return "a control character in the name"
    if _SURROGATE.search(name) is not None:
        return "the name is not UTF-8"
    if name[0] == ".":
        return "a leading dot hides the file on Linux and macOS"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    if name[-1] in ". ":
        return "a trailing dot or space is dropped by Windows"
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        return "a reserved device name on Windows"
    return None


def is_safe_filename(name: str) -> bool:
    """True when ``name`` can be written as-is on Linux, macOS and Windows (see unsafe_reason)."""
    return unsafe_reason(name) is None
