"""Text → the tokens of the site's static search index (site/search_index.py), which the
browser reads with no server (site/static/search.js computes the same tokens for a query).

The FTS5 index gives each CJK character a token and matches words as phrases of
characters; a static index cannot afford positions, so here a token is a pair of adjacent
CJK characters (a bigram) and a word is all its bigrams: 冬奥 is the bigram 冬奥 and
matches inside 北京冬奥会; 布林肯 is 布林 and 林肯. Other scripts give words, lower-cased.

Every token is a 32-bit number, so that tokenizing a whole article is a few numpy
operations and a shard of the index needs no strings:
- a bigram of two BMP characters is ``first << 16 | second``: always ≥ 0x30000000, as CJK
  starts at U+3040;
- a word is ``crc32(utf-8) & 0x2FFFFFFF``: below 0x30000000. Two words may share a number
  (a few pairs among 10⁵ words); a query for one then also finds the other's articles,
  among articles that hold every other word of the query.

Each (token, article) posting carries a class, what ranking needs: 0 once in the text,
1 two or three times, 2 four or more, 3 in the title.
"""

import re
import zlib
from collections import Counter
from functools import cache

import numpy as np

from newsvault.search.fold import fold_table

FORMAT = "bigrams-1"
WORD_MASK = 0x2FFFFFFF
# ranges of the BMP written without spaces: kana, CJK ideographs (+ extension A,
# compatibility), hangul syllables; kept in step with CJK_RANGES in search.js
CJK_RANGES = ((0x3040, 0x3100), (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7B0),
              (0xF900, 0xFB00))
# words: digits and letters of the alphabetic scripts (Latin, Greek, Cyrillic, Armenian,
# Hebrew, Arabic, Thai); the same class is in search.js
WORD_CHARS = r"0-9A-Za-z\u00C0-\u024F\u0370-\u058F\u0590-\u06FF\u0E00-\u0E7F"
TITLE_CLASS = 3

_IS_CJK = np.zeros(0x10000, dtype=bool)
for _start, _stop in CJK_RANGES:
    _IS_CJK[_start:_stop] = True
_WORD = re.compile(f"[{WORD_CHARS}]+")
_TF_CLASS = np.array([0, 0, 1, 1, 2], dtype=np.uint8)  # by occurrences, capped at 4


def text_ids(text: str) -> np.ndarray:
    """The tokens of ``text``, folded, each once per occurrence (uint32)."""
    codes = _folded_codes()[np.frombuffer(text.encode("utf-16-le", "surrogatepass"),
                                          dtype=np.uint16)]
    words = codes.tobytes().decode("utf-16-le", "surrogatepass")
    return np.concatenate((_bigram_ids(codes), _word_ids(words)))


def _bigram_ids(codes: np.ndarray) -> np.ndarray:
    if codes.size < 2:
        return np.empty(0, dtype=np.uint32)
    cjk = _IS_CJK[codes]
    pair = cjk[:-1] & cjk[1:]
    return (codes[:-1][pair].astype(np.uint32) << 16) | codes[1:][pair]


def _word_ids(text: str) -> np.ndarray:
    words = Counter(_WORD.findall(text.lower()))  # a checksum per distinct word
    ids = np.fromiter((zlib.crc32(word.encode()) & WORD_MASK for word in words),
                      dtype=np.uint32, count=len(words))
    return np.repeat(ids, np.fromiter(words.values(), dtype=np.int64, count=len(words)))


@cache
def _bmp_folding() -> dict[int, str]:
    """fold()'s table without the characters that fold to one outside the BMP (a few
    hundred rare ones): UTF-16 units are folded one for one, here and in the browser."""
    return {code: folded for code, folded in fold_table().items()
            if code < 0x10000 and ord(folded) < 0x10000}


@cache
def _folded_codes() -> np.ndarray:
    """UTF-16 unit → the unit it folds to."""
    table = np.arange(0x10000, dtype=np.uint16)
    for code, folded in _bmp_folding().items():
        table[code] = ord(folded)
    return table


def article_tokens(title: str, body: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct tokens of an article (sorted uint32) and the class of each (uint8)."""
    tokens, counts = _counted(text_ids(body))
    classes = _TF_CLASS[np.minimum(counts, 4)]
    in_title, _ = _counted(text_ids(title))
    return _with_title(tokens, classes, in_title)


def _counted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(ids, return_counts=True), by a sort: several times faster on these arrays."""
    if ids.size == 0:
        return ids, np.empty(0, dtype=np.int64)
    ordered = np.sort(ids)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, ordered.size))


def _with_title(tokens: np.ndarray, classes: np.ndarray, in_title: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Title tokens get the title class, whether or not the text has them too."""
    if in_title.size == 0:
        return tokens, classes
    all_tokens, _ = _counted(np.concatenate((tokens, in_title)))
    all_classes = np.zeros(all_tokens.size, dtype=np.uint8)
    all_classes[np.searchsorted(all_tokens, tokens)] = classes
    all_classes[np.searchsorted(all_tokens, in_title)] = TITLE_CLASS
    return all_tokens, all_classes


def shard_of(tokens: np.ndarray, shards: int) -> np.ndarray:
    """The shard each token lives in: murmur3's finalizer, mod ``shards`` (a power of
    two); search.js computes the same with Math.imul."""
    h = tokens.astype(np.uint32)
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    h = h ^ (h >> np.uint32(16))
    return h & np.uint32(shards - 1)


def fold_pairs() -> str:
    """The folding table for the browser: each Traditional (or full-width) character
    followed by what it folds to, e.g. "臺台灣湾…"."""
    return "".join(chr(code) + folded for code, folded in sorted(_bmp_folding().items()))
