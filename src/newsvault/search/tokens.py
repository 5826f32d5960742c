"""Text → the tokens the FTS5 index holds, and a query → an FTS5 MATCH expression.

Chinese (and Japanese, Korean) is written without spaces, so every CJK character is its own
token and a word is the phrase of its characters: "冬奥" is the phrase 冬 奥, which matches
inside 北京冬奥会 as well, whatever the word boundaries. Measured against CJK bigrams and
jieba (docs/benchmarks.md, "Search (issue 3)"), this builds several times faster, gives the
smallest index and finds every substring, so no word is missed for want of a dictionary.

A column's value is two parts: the CJK characters, each a token, with ``BREAK`` where
anything but whitespace stood between them (so 中。国 is not the phrase 中国); then the
rest of the text, which SQLite's unicode61 tokenizer splits into words and folds in case.
Both parts come from folded text (see fold.py); queries go through the same functions.
"""

import re
import sys
from array import array
from dataclasses import dataclass

from newsvault.errors import SearchQueryError
from newsvault.search.fold import fold

# scripts written without spaces between words: kana, CJK ideographs, hangul syllables
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003ffff"
BREAK = "\ue000"  # a private-use character: unicode61 keeps it as a token; no query types it
TOKENIZER_VERSION = "cjk-chars-1"
MAX_QUERY_CHARS = 500

_CJK_SPLIT = re.compile(f"([{CJK}]+)")
_WORD = re.compile(r"[^\W_]+")
_QUERY_TERM = re.compile(r'"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+)')
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_SPACE_CODE = array("I", [ord(" ")])


def index_text(folded: str) -> str:
    """The value of an FTS5 column for ``folded`` text."""
    pieces = _CJK_SPLIT.split(folded)  # other text, a CJK run, other text, a CJK run, …
    return f"{spaced(_joined_runs(pieces))} {' '.join(pieces[0::2])}"


def _joined_runs(pieces: list[str]) -> str:
    """The CJK runs of split text, a BREAK between two of them unless only whitespace
    parts them."""
    runs = pieces[1::2]
    joined = runs[:1]
    for gap, run in zip(pieces[2::2], runs[1:]):
        if not gap.isspace():
            joined.append(BREAK)
        joined.append(run)
    return "".join(joined)


def spaced(text: str) -> str:
    """'北京冬奥' → '北 京 冬 奥'; on whole articles " ".join(text) is four times slower."""
    if len(text) < 2 or _SPACE_CODE.itemsize != 4:
        return " ".join(text)
    codes = array("I")
    codes.frombytes(text.encode(_UTF32))
    out = _SPACE_CODE * (2 * len(codes) - 1)
    out[0::2] = codes
    return out.tobytes().decode(_UTF32)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive index tokens: CJK characters (with BREAKs), or words (lower case)."""

    tokens: tuple[str, ...]
    cjk: bool

    def match_expression(self) -> str:
        return '"' + " ".join(self.tokens).replace('"', '""') + '"'


def parse_query(query: str) -> list[Phrase]:
    """Words and "quoted phrases", all of which must occur. FTS5 syntax has no meaning here
    (AND, NEAR(, *, ^, column: are text), so no query can make SQLite fail.

    Raises SearchQueryError when nothing is left to search for.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"search: the query is too long ({len(query)} characters; "
                               f"at most {MAX_QUERY_CHARS})")
    phrases: list[Phrase] = []
    for term in _QUERY_TERM.finditer(query):
        for phrase in term_phrases(term.group("quoted") or term.group("bare") or ""):
            if phrase not in phrases:
                phrases.append(phrase)
    if not phrases:
        raise SearchQueryError(f"search: nothing to search for in {query!r}; "
                               "type words or Chinese characters")
    return phrases


def term_phrases(term: str) -> list[Phrase]:
    """One term (a word or a quoted phrase): its CJK characters are one phrase and its
    other words another, since the index keeps the two apart."""
    pieces = _CJK_SPLIT.split(fold(term))
    phrases = []
    cjk = _joined_runs(pieces)
    if cjk:
        phrases.append(Phrase(tuple(cjk), cjk=True))
    words = _WORD.findall(" ".join(pieces[0::2]))
    if words:
        phrases.append(Phrase(tuple(word.lower() for word in words), cjk=False))
    return phrases


def match_expression(phrases: list[Phrase]) -> str:
    return " AND ".join(phrase.match_expression() for phrase in phrases)
