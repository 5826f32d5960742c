"""Acceptance on the shared corpus (5,685 real posts) plus the seed post, imported with
``newsvault import jekyll`` and searched with ``newsvault search --json``: the acceptance
queries of issue 3 return articles that contain the term first.

Needs ../shared/corpus/oped2-posts.tar.xz beside the repository; skipped when absent.
Nothing from the corpus is copied into the repository.
"""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from newsvault.search.fold import fold
from support.corpus import SEED_URL, corpus_archive, newsvault

TOP = 5

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return corpus_archive(tmp_path_factory.mktemp("search-corpus"))  # the first search indexes


def search(archive: Path, query: str) -> list[dict]:
    return json.loads(newsvault("search", query, "--json", "--limit", "20", cwd=archive))


def marked(hit: dict) -> list[str]:
    return [unescape(text) for text in re.findall(r"<mark>(.*?)</mark>", hit["snippet"])]


def contains(hit: dict, term: str) -> bool:
    """The hit's title, or a match marked in its text, is ``term`` once folded (Traditional
    as Simplified, letter case ignored)."""
    wanted = fold(term).casefold()
    return wanted in fold(hit["title"]).casefold() or any(
        " ".join(fold(text).casefold().split()) == wanted for text in marked(hit))


@pytest.mark.parametrize("query, term", [
    ("冬奥", "冬奥"), ("布林肯", "布林肯"), ("臺灣", "台湾"), ("VPN", "VPN"),
])
def test_the_top_hits_contain_the_term_and_the_best_has_it_in_its_title(archive, query, term):
    hits = search(archive, query)
    assert len(hits) >= TOP
    assert all(contains(hit, term) for hit in hits[:TOP]), [hit["title"] for hit in hits[:TOP]]
    assert fold(term).casefold() in fold(hits[0]["title"]).casefold()


def test_the_seed_post_is_among_the_top_hits_for_winter_olympics(archive):
    assert SEED_URL in [hit["url"] for hit in search(archive, "冬奥")[:TOP]]


def test_a_quoted_english_name_finds_the_articles_that_name_him(archive):
    hits = search(archive, '"Ned Price"')
    assert SEED_URL in [hit["url"] for hit in hits]
    assert all("Ned Price" in marked(hit) for hit in hits)


def test_taiwan_in_traditional_finds_articles_written_in_simplified(archive):
    hits = search(archive, "臺灣")
    written_simplified = [hit for hit in hits if "台湾" in hit["title"] or "台湾" in marked(hit)]
    written_traditional = [hit for hit in hits if "臺灣" in hit["title"] or "臺灣" in marked(hit)]
    assert written_simplified and written_traditional
