"""content/summary.py: does a feed item carry the whole article, or a summary?"""

import pytest

from newsvault.content.summary import SHORT_TEXT, looks_like_summary, page_is_better, plain_text

LONG_ZH = "<p>" + "青州湖畔的小城南屿从本月起试行夜间公交服务。" * 40 + "</p>"
LONG_EN = "<p>" + "The council voted to turn the old rail yard into a park. " * 20 + "</p>"


@pytest.mark.parametrize("html", [
    "<p>短的摘要</p>",
    "Councillors back a plan that would let the yard flood.",
    LONG_ZH[:-4] + "……</p>",
    LONG_ZH[:-4] + "…</p>",
    LONG_EN[:-4] + "...</p>",
    LONG_EN[:-4] + " [&#8230;]</p>",
    LONG_EN + '<p><a href="/more">Continue reading →</a></p>',
    LONG_ZH + "<p><a href='/x'>阅读全文</a></p>",
    "",
], ids=["short-zh", "short-en", "zh-ellipsis-pair", "ellipsis", "three-dots", "wordpress-more",
        "continue-reading", "read-all-zh", "empty"])
def test_summaries(html):
    assert looks_like_summary(html)


@pytest.mark.parametrize("html", [LONG_ZH, LONG_EN, LONG_EN + "<script>var a = '…';</script>"],
                         ids=["zh", "en", "script-not-text"])
def test_whole_articles(html):
    assert not looks_like_summary(html)


def test_short_is_counted_in_characters_without_spaces():
    assert looks_like_summary("<p>" + "字" * (SHORT_TEXT - 1) + "</p>")
    assert not looks_like_summary("<p>" + "字 " * SHORT_TEXT + "</p>")


def test_plain_text_unescapes_and_collapses():
    assert plain_text("<p>a &amp;\n\n<b>b</b></p>") == "a & b"


def test_auto_takes_the_page_only_when_it_is_much_longer():
    summary, article = "<p>" + "字" * 100 + "</p>", "<p>" + "字" * 1000 + "</p>"
    assert page_is_better(summary, article, "auto")
    assert not page_is_better(article, article, "auto")
    assert page_is_better(article, article, "always")
    assert not page_is_better(article, summary, "always")  # the extraction missed most of it
    assert not page_is_better(summary, "<p> </p>", "always")
