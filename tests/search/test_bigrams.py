"""The static index's tokens (search/bigrams.py): what search.js must compute alike."""

import zlib

import numpy as np
import pytest

from newsvault.search.bigrams import TITLE_CLASS, WORD_MASK, article_tokens, text_ids


def bigram(pair: str) -> int:
    return ord(pair[0]) << 16 | ord(pair[1])


def word(text: str) -> int:
    return zlib.crc32(text.encode()) & WORD_MASK


def test_chinese_is_pairs_of_adjacent_characters_and_other_words_are_lower_cased():
    ids = text_ids("北京冬奥，VPN 與 Ned")
    assert sorted(ids.tolist()) == sorted([bigram("北京"), bigram("京冬"), bigram("冬奥"),
                                           word("vpn"), word("ned")])


def test_traditional_and_full_width_fold_as_in_the_cli():
    assert text_ids("臺灣").tolist() == [bigram("台湾")]
    assert text_ids("ＶＰＮ").tolist() == [word("vpn")]


@pytest.mark.parametrize("title, body", [("", ""), ("标题", ""), ("", "正文"), ("。", "a")])
def test_empty_and_tiny_texts_give_tokens_without_failing(title, body):
    tokens, classes = article_tokens(title, body)
    assert tokens.dtype == np.uint32 and tokens.size == classes.size
    assert list(tokens) == sorted(set(text_ids(title).tolist()) | set(text_ids(body).tolist()))


def test_classes_say_how_often_and_whether_in_the_title():
    tokens, classes = article_tokens("冬奥", "香港 香港 台湾 台湾 台湾 台湾 台湾 冬奥 北京")
    by_token = dict(zip(tokens.tolist(), classes.tolist()))
    assert by_token[bigram("冬奥")] == TITLE_CLASS
    assert by_token[bigram("香港")] == 1 and by_token[bigram("台湾")] == 2
    assert by_token[bigram("北京")] == 0
