"""Text → index tokens, folding, and queries → FTS5 MATCH expressions, checked against a
real FTS5 table built the way the archive's is (no archive needed)."""

import sqlite3

import pytest

from newsvault.errors import SearchQueryError
from newsvault.search.fold import fold
from newsvault.search.text import plain_text
from newsvault.search.tokens import (
    BREAK, MAX_QUERY_CHARS, index_text, match_expression, parse_query, spaced,
)

DOCS = {
    1: "北京冬奥会将于二月四日开幕",
    2: "美国国务卿布林肯与王毅通话",
    3: "國務院發言人Ned Price在臺灣問題上表態",
    4: "他在其中。国家队没有出场",  # 中 and 国 are parted by a full stop
    5: "Prices rose; ned said nothing",
    6: "翻墙软件ＶＰＮ在中国受限",
    7: "北京 冬奥 的 报道",  # spaces between Chinese words
}


@pytest.fixture(scope="module")
def index():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, content='',"
                " tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)",
                   [(rowid, index_text(fold(text))) for rowid, text in DOCS.items()])
    return db


def found(index, query: str) -> set[int]:
    rows = index.execute("SELECT rowid FROM t WHERE t MATCH ?",
                         (match_expression(parse_query(query)),))
    return {row[0] for row in rows}


def test_a_two_character_word_matches_inside_a_longer_word(index):
    assert found(index, "冬奥") == {1, 7}
    assert found(index, "奥会") == {1}
    assert found(index, "布林肯") == {2}
    assert found(index, "林肯") == {2}


def test_a_single_character_matches(index):
    assert found(index, "肯") == {2}


def test_traditional_and_simplified_are_the_same(index):
    assert found(index, "臺灣") == {3}
    assert found(index, "台湾") == {3}
    assert found(index, "台灣") == {3}
    assert found(index, "國務院") == found(index, "国务院") == {3}


def test_full_width_letters_are_ascii_and_case_does_not_matter(index):
    assert found(index, "vpn") == found(index, "VPN") == found(index, "ＶＰＮ") == {6}


def test_a_quoted_phrase_needs_its_words_in_order_and_together(index):
    assert found(index, '"Ned Price"') == {3}
    assert found(index, '"ned price"') == {3}
    assert found(index, "ned price") == {3}  # both words, anywhere, but not "prices"
    assert found(index, '"Price Ned"') == set()


def test_all_terms_must_occur(index):
    assert found(index, "北京 开幕") == {1}
    assert found(index, "北京 布林肯") == set()


def test_mixed_chinese_and_english_in_one_term(index):
    assert found(index, "发言人Ned") == {3}
    assert found(index, "翻墙VPN") == {6}


def test_punctuation_parts_chinese_words_but_spaces_do_not(index):
    assert found(index, "中国") == {6}  # not 4: 其中。国家
    assert found(index, '"北京 冬奥"') == {1, 7}
    assert found(index, "北京冬奥") == {1, 7}


@pytest.mark.parametrize("query", ['"', "*", "()", "^", "-", '""', "   ", "。，！", ":", "\\"])
def test_a_query_with_nothing_to_search_for_is_a_clear_error(query):
    with pytest.raises(SearchQueryError, match="nothing to search for"):
        parse_query(query)


@pytest.mark.parametrize("query", [
    "AND", "OR", "NOT", "NEAR(", "NEAR(a b", "a OR b", '"unclosed phrase', 'body:北京',
    "title : x", "^start", "pre*", "a + b", "{title body}: x", "a AND (b", 'say "hi"there"',
    "x\x00y", "'; DROP TABLE articles; --",
])
def test_fts5_syntax_is_only_text_and_never_an_sqlite_error(index, query):
    found(index, query)  # no sqlite3.OperationalError
    for phrase in parse_query(query):
        assert all(token not in ("AND", "OR", "NOT") for token in phrase.tokens)


def test_fts_operators_are_searched_as_words(index):
    assert found(index, "said NOT") == set()  # "not" is a word here, and no text has it
    assert found(index, "said") == {5}


def test_a_too_long_query_is_refused():
    with pytest.raises(SearchQueryError, match="too long"):
        parse_query("冬" * (MAX_QUERY_CHARS + 1))


def test_cjk_characters_are_spaced_and_gaps_become_breaks():
    assert index_text("北京冬奥").split() == ["北", "京", "冬", "奥"]
    assert index_text("其中。国家").split() == ["其", "中", BREAK, "国", "家", "。"]
    assert index_text("Ned Price 说").split() == ["说", "Ned", "Price"]
    assert spaced("𠀀𠀁") == "𠀀 𠀁"  # beyond the BMP: whole characters, never halves


def test_folding_keeps_the_length():
    for text in ("臺灣", "乾隆", "ＶＰＮ與ＡＩ", "著作", "abc", ""):
        assert len(fold(text)) == len(text)
    assert fold("臺灣") == "台湾"


def test_plain_text_drops_scripts_and_styles_and_parts_blocks():
    html = ("<div><p>First</p><p>second<br>third</p><script>var x = '冬奥';</script>"
            "<style>p { color: red }</style><p>北京&amp;冬奥</p><!-- comment --></div>")
    assert plain_text(html) == "First second third 北京&冬奥"
    assert plain_text("") == plain_text("   ") == plain_text("<!-- only -->") == ""
    assert plain_text("just text") == "just text"
