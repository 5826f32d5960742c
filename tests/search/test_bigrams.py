"""The static index's tokens (search/bigrams.py): what search.js must compute alike."""

import re

import numpy as np
import pytest

from newsvault.search.bigrams import (TITLE_CLASS, WORD_MASK, article_tokens, batch_tokens,
                                      text_ids)


def bigram(pair: str) -> int:
    return ord(pair[0]) << 16 | ord(pair[1])


def word(text: str) -> int:
    """FNV-1a of the UTF-16 units, written out the way search.js computes it."""
    hashed = 0x811C9DC5
    for unit in memoryview(text.encode("utf-16-le")).cast("H"):
        hashed = ((hashed ^ unit) * 0x01000193) & 0xFFFFFFFF
    return hashed & WORD_MASK


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


def test_words_of_every_length_and_script_hash_alike_in_a_batch_and_alone():
    texts = ["a", "ab", "Zürich", "Москва", "ελληνικά", "x" * 70, "İstanbul", "ﬁ", "𝐀bc"]
    joined = " ".join(texts)
    assert sorted(text_ids(joined).tolist()) == sorted(
        word(w) for text in texts for w in re.findall(
            "[0-9A-Za-z\u00C0-\u024F\u0370-\u058F\u0590-\u06FF\u0E00-\u0E7F]+",
            "".join(c.lower() if len(c.lower()) == 1 else c for c in text)))


def test_a_batch_gives_each_article_its_own_postings():
    docs, tokens, classes = batch_tokens([("北京", "冬奥 冬奥 VPN"), ("", ""), ("", "北京冬奥")])
    postings = list(zip(docs.tolist(), tokens.tolist(), classes.tolist()))
    assert postings == sorted(postings)
    assert [(d, t) for d, t, _ in postings] == sorted(
        [(0, bigram("北京")), (0, bigram("冬奥")), (0, word("vpn")),
         (2, bigram("北京")), (2, bigram("京冬")), (2, bigram("冬奥"))])
    assert dict(((d, t), c) for d, t, c in postings)[(0, bigram("冬奥"))] == 1
    for number, (title, text) in enumerate([("北京", "冬奥 冬奥 VPN"), ("", "北京冬奥")]):
        alone_tokens, alone_classes = article_tokens(title, text)
        mine = docs == (0, 2)[number]
        assert tokens[mine].tolist() == alone_tokens.tolist()
        assert classes[mine].tolist() == alone_classes.tolist()
