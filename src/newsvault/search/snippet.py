"""A hit's snippet: the plain text around the first match, with the matched original
characters marked (a 臺灣 in the text is marked for the query 台湾).

FTS5's own snippet() works on index tokens; ours are single characters and a separate
word list, so the snippet is cut from the stored plain text instead.
"""

import re
from dataclasses import dataclass
from html import escape

from newsvault.search.fold import variants
from newsvault.search.tokens import BREAK, CJK, Phrase

WIDTH = 120  # characters shown
LEAD = 30  # of them before the first match
_SNAP = 15  # at most this far to move an edge so that it does not cut a word in two
_ELLIPSIS = "…"

_BETWEEN_CJK = r"\s?"  # the index drops whitespace between CJK characters
_CJK_GAP = f"[^{CJK}]+"  # what a BREAK stands for
_WORD_START = rf"(?<![^\W_{CJK}])"
_WORD_END = rf"(?![^\W_{CJK}])"
_BETWEEN_WORDS = rf"[\W_{CJK}]+"  # the index drops CJK text and punctuation between words
_CJK_CHAR = re.compile(f"[{CJK}]")


@dataclass(frozen=True, slots=True)
class Snippet:
    parts: tuple[tuple[str, bool], ...] = ()  # (text, matched), in order

    def html(self) -> str:
        """Escaped text with the matches in <mark>…</mark>: ready for innerHTML."""
        return "".join(f"<mark>{escape(text, quote=False)}</mark>" if matched
                       else escape(text, quote=False) for text, matched in self.parts)

    def plain(self) -> str:
        return "".join(text for text, _ in self.parts)


def phrases_pattern(phrases: list[Phrase]) -> re.Pattern:
    """Finds any of the phrases, longest first."""
    alternatives = sorted((_phrase_regex(phrase) for phrase in phrases), key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _phrase_regex(phrase: Phrase) -> str:
    """Finds the phrase in the text as written: each character may be any that folds to
    it (湾 or 灣, a or Ａ), so the text need not be folded, however long it is."""
    if phrase.cjk:
        return _BETWEEN_CJK.join(_CJK_GAP if token == BREAK else _any_variant(token)
                                 for token in phrase.tokens)
    words = ("".join(map(_any_variant, word)) for word in phrase.tokens)
    return _WORD_START + _BETWEEN_WORDS.join(words) + _WORD_END


def _any_variant(char: str) -> str:
    found = variants(char)
    return re.escape(char) if len(found) == 1 else f"[{re.escape(found)}]"


def make_snippet(text: str, pattern: re.Pattern, width: int = WIDTH) -> Snippet:
    if not text:
        return Snippet()
    first = pattern.search(text)
    start, end = _window(text, first.start() if first else 0, first.end() if first else 0, width)
    parts: list[tuple[str, bool]] = [(_ELLIPSIS, False)] if start > 0 else []
    position = start
    for match in pattern.finditer(text, start):
        if match.start() >= end:
            break
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        position = min(match.end(), end)
        parts.append((text[match.start():position], True))
    if position < end:
        parts.append((text[position:end], False))
    if end < len(text):
        parts.append((_ELLIPSIS, False))
    return Snippet(tuple(parts))


def _window(text: str, match_start: int, match_end: int, width: int) -> tuple[int, int]:
    start = max(0, min(match_start - LEAD, len(text) - width))
    end = min(len(text), start + width)
    if start > 0 and _inside_word(text, start):
        space = text.find(" ", start, min(start + _SNAP, match_start))
        start = space + 1 if space >= 0 else start
    if end < len(text) and _inside_word(text, end):
        space = text.rfind(" ", max(end - _SNAP, match_end), end)
        end = space if space >= 0 else end
    return start, end


def _inside_word(text: str, index: int) -> bool:
    """Whether a cut before ``index`` splits a word of a space-separated script."""
    return _is_word_char(text[index - 1]) and _is_word_char(text[index])


def _is_word_char(char: str) -> bool:
    return char.isalnum() and not _CJK_CHAR.match(char)
