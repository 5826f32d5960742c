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
- a word is the 32-bit FNV-1a hash of its UTF-16 code units, ``& 0x2FFFFFFF``: below
  0x30000000. Two words may share a number (a few pairs among 10⁵ words); a query for one
  then also finds the other's articles, among articles that hold every other word of it.

Texts are tokenized many at a time (``batch_tokens``): joined into one array of UTF-16
units, folded and lower-cased through one table, their bigrams and words found and hashed
by array operations, and counted per article by one sort. Per article, in Python, this was
five times slower.

Each (token, article) posting carries a class, what ranking needs: 0 once in the text,
1 two or three times, 2 four or more, 3 in the title.
"""

from functools import cache

import numpy as np

from newsvault.search.fold import fold_table

FORMAT = "bigrams-2"
WORD_MASK = 0x2FFFFFFF
FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193
# ranges of the BMP written without spaces: kana, CJK ideographs (+ extension A,
# compatibility), hangul syllables; kept in step with CJK_RANGES in search.js
CJK_RANGES = ((0x3040, 0x3100), (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7B0),
              (0xF900, 0xFB00))
# words: digits and letters of the alphabetic scripts (Latin, Greek, Cyrillic, Armenian,
# Hebrew, Arabic, Thai); the same class is WORDS in search.js
WORD_RANGES = ((0x30, 0x3A), (0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x370, 0x590),
               (0x590, 0x700), (0xE00, 0xE80))
TITLE_CLASS = 3
SEPARATOR = "\ue000"  # between the texts of a batch (private use: in no token)


def _table(ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """UTF-16 unit → whether it is in one of ``ranges`` (start, stop)."""
    table = np.zeros(0x10000, dtype=bool)
    for start, stop in ranges:
        table[start:stop] = True
    return table


_IS_CJK, _IS_WORD = _table(CJK_RANGES), _table(WORD_RANGES)
_TF_CLASS = np.array([0, 0, 1, 1, 2], dtype=np.uint8)  # by occurrences, capped at 4


def batch_tokens(texts: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The postings of these (title, text) articles: (article index, token, class) of
    each distinct token of each article, sorted by article then token. At most 2**30
    articles in a batch."""
    body_keys, counts = _counted(_doc_token_keys([text for _, text in texts]))
    title_keys, _ = _counted(_doc_token_keys([title for title, _ in texts]))
    classes = np.concatenate((_TF_CLASS[np.minimum(counts, 4)],
                              np.full(title_keys.size, TITLE_CLASS, dtype=np.uint8)))
    # key << 2 | class, sorted: a key's last is its highest class (the title's wins); a
    # batch's article index is small, so that key << 2 fits in 64 bits
    marked = np.sort((np.concatenate((body_keys, title_keys)) << np.uint64(2))
                     | classes.astype(np.uint64))
    keys = marked >> np.uint64(2)
    last = np.ones(keys.size, dtype=bool)
    last[:-1] = keys[1:] != keys[:-1]
    keys, classes = keys[last], (marked[last] & np.uint64(3)).astype(np.uint8)
    return ((keys >> np.uint64(32)).astype(np.int64),
            (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), classes)


def article_tokens(title: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct tokens of one article (sorted uint32) and the class of each (uint8)."""
    _, tokens, classes = batch_tokens([(title, text)])
    return tokens, classes


def text_ids(text: str) -> np.ndarray:
    """The tokens of ``text``, folded, each once per occurrence (uint32)."""
    return (_doc_token_keys([text]) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _doc_token_keys(texts: list[str]) -> np.ndarray:
    """``article index << 32 | token`` per occurrence of a token in these texts (uint64)."""
    joined = SEPARATOR.join(text.replace(SEPARATOR, " ") if SEPARATOR in text else text
                            for text in texts)
    codes = _folded_codes()[np.frombuffer(joined.encode("utf-16-le", "surrogatepass"),
                                          dtype=np.uint16)]
    bounds = np.flatnonzero(codes == ord(SEPARATOR))
    pair_at, pairs = _bigram_ids(codes)
    word_at, words = _word_ids(codes)
    docs = np.searchsorted(bounds, np.concatenate((pair_at, word_at))).astype(np.uint64)
    return (docs << np.uint64(32)) | np.concatenate((pairs, words)).astype(np.uint64)


def _bigram_ids(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where, token) of every pair of adjacent CJK units."""
    if codes.size < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint32)
    cjk = _IS_CJK[codes]
    at = np.flatnonzero(cjk[:-1] & cjk[1:])
    return at, (codes[at].astype(np.uint32) << np.uint32(16)) | codes[at + 1]


def _word_ids(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where, token) of every word: FNV-1a of its units, all words hashed a unit
    position at a time, longest first (search.js hashes one word the same way)."""
    edges = np.diff(_IS_WORD[codes].astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    order = np.argsort(starts - ends, kind="stable")  # longest first
    first, lengths = starts[order], (ends - starts)[order]
    hashes = np.full(first.size, FNV_OFFSET, dtype=np.uint32)
    longer = np.searchsorted(-lengths, -np.arange(int(lengths[0]) if lengths.size else 0))
    for position, count in enumerate(longer.tolist()):  # count: words longer than position
        hashes[:count] = (hashes[:count] ^ codes[first[:count] + position]) * np.uint32(FNV_PRIME)
    ids = np.empty_like(hashes)
    ids[order] = hashes & np.uint32(WORD_MASK)
    return starts, ids


@cache
def _bmp_folding() -> dict[int, str]:
    """fold()'s table without the characters that fold to one outside the BMP (a few
    hundred rare ones): UTF-16 units are folded one for one, here and in the browser."""
    return {code: folded for code, folded in fold_table().items()
            if code < 0x10000 and ord(folded) < 0x10000}


@cache
def _folded_codes() -> np.ndarray:
    """UTF-16 unit → the unit it folds to, lower-cased where its lower case is one unit
    (search.js lower-cases a query's characters by the same rule)."""
    table = np.arange(0x10000, dtype=np.uint16)
    for code, folded in _bmp_folding().items():
        table[code] = ord(folded)
    for code in np.flatnonzero(_IS_WORD[table]).tolist():  # ＶＰＮ folds to VPN, then vpn
        lower = chr(table[code]).lower()
        if len(lower) == 1 and ord(lower) < 0x10000:
            table[code] = ord(lower)
    return table


def _counted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(ids, return_counts=True), by a sort: several times faster on these arrays."""
    if ids.size == 0:
        return ids, np.empty(0, dtype=np.int64)
    ordered = np.sort(ids)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, ordered.size))


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
