"""The one form of text that search compares, so that 臺灣, 台灣 and 台湾 are one word and
ＶＰＮ is VPN: Traditional characters become Simplified, full-width letters and digits
ASCII. Letter case is left to SQLite's tokenizer.

Character by character, from OpenCC's t2s tables: a substring of a text then folds to a
substring of the folded text, which phrase-level conversion (乾隆 stays, 乾 alone becomes
干) would not promise. ``variants`` goes the other way, for finding a folded word in
text as written (snippets).
"""

import re
from functools import cache

import opencc

from newsvault.cache import cached

FOLD_VERSION = f"opencc-{opencc.__version__}-t2s-chars"

# the Basic Multilingual Plane's ideographs: where the Traditional characters in use are
_IDEOGRAPHS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
_FULL_WIDTH_ALNUM = [code for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()]


@cache
def _folding() -> tuple[dict[int, str], re.Pattern]:
    """The character table, and a pattern that finds a character it changes."""
    table = cached(f"fold-{FOLD_VERSION}-1", _fold_table)  # OpenCC on 28,000 characters
    return table, re.compile(f"[{_char_class(sorted(table))}]")


def _fold_table() -> dict[int, str]:
    chars = [chr(code) for start, stop in _IDEOGRAPHS for code in range(start, stop)]
    simplified = _t2s_each(chars)
    table = {ord(char): simple for char, simple in zip(chars, simplified)
             if simple != char and len(simple) == 1}
    table.update({code: chr(code - 0xFEE0) for code in _FULL_WIDTH_ALNUM})
    return table


def _t2s_each(chars: list[str]) -> list[str]:
    converter = opencc.OpenCC("t2s")
    # one call for all: a newline stops phrase matching, so each character converts alone
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) == len(chars):
        return converted
    return [converter.convert(char) for char in chars]


def _char_class(codes: list[int]) -> str:
    """'[...]' contents as ranges: a class of 4,000 single characters is slow in `re`."""
    ranges, start, previous = [], codes[0], codes[0]
    for code in codes[1:] + [-1]:
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) if start == previous
                          else f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
        previous = code
    return "".join(ranges)


@cache
def _folded_from() -> dict[str, str]:
    """For each character that others fold to, those characters (itself first)."""
    table, _ = _folding()
    sources: dict[str, str] = {}
    for code, folded in table.items():
        sources[folded] = sources.get(folded, folded) + chr(code)
    return sources


def fold_table() -> dict[int, str]:
    """Code point → the character it folds to, for every character ``fold`` changes."""
    return dict(_folding()[0])


def variants(char: str) -> str:
    """The characters that fold to ``char``, itself included: 湾 → 湾灣."""
    return _folded_from().get(char, char)


def fold(text: str) -> str:
    """``text`` folded; always of the same length."""
    table, foldable = _folding()
    return text.translate(table) if foldable.search(text) else text
