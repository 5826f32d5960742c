"""The static search index (site/search_index.py) read back the way search.js reads it:
a small decoder here is the oracle for the file format, the browser tests prove the rest."""

import json

import numpy as np
import pytest

from newsvault.search.bigrams import shard_of, text_ids
from newsvault.site import build_archive_site
from newsvault.site import search_index
from site_support import DAY_MS, START_MS, WINTER_GAMES_TITLE


def varints(data: bytes, at: int):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def postings(folder, segment: dict, token: int) -> dict[int, int]:
    """ordinal → class of ``token`` in ``segment``, as search.js decodes it."""
    shard = int(shard_of(np.array([token], dtype=np.uint32), segment["shards"])[0])
    path = folder / segment["id"] / f"s{shard}.bin"
    if not path.exists():
        return {}
    data = path.read_bytes()
    count, at = varints(data, 0)
    token_id, skip, found = 0, 0, None
    for _ in range(count):
        delta, at = varints(data, at)
        token_id += delta
        size, at = varints(data, at)
        length, at = varints(data, at)
        if token_id == token:
            found = (size, skip)
        skip += length
    if not found:
        return {}
    at += found[1]
    result, ordinal = {}, 0
    for _ in range(found[0]):
        value, at = varints(data, at)
        ordinal += value >> 2
        result[ordinal] = value & 3
    return result


def search(site, words: str) -> list[str]:
    """Titles of the live articles that hold every token of ``words``."""
    folder = site / "search-index"
    manifest = json.loads((folder / "index.json").read_text())
    superseded = {o for segment in manifest["segments"] for o in segment["deleted"]}
    titles = []
    tokens = sorted(set(text_ids(words).tolist()))
    for number, segment in enumerate(manifest["segments"]):
        lists = [postings(folder, segment, token) for token in tokens]
        ordinals = set.intersection(*(set(found) for found in lists))
        for ordinal in sorted(ordinals - (superseded if number == 0 else set())):
            chunk = json.loads((folder / segment["id"] / f"m{ordinal // 4}.json").read_text())
            titles.append(chunk[ordinal % 4][1])
    return titles


def test_every_article_is_found_by_its_title_words(small_archive):
    build_archive_site(small_archive.archive)
    assert search(small_archive.site, "冬奥") == [WINTER_GAMES_TITLE]
    # every token: 晨报 的第 篇报 报道 and the word 7 (also in the text of the 8th, "Paragraph 7")
    assert search(small_archive.site, "晨报的第7篇报道") == ["晨报的第7篇报道", "晨报的第8篇报道"]
    assert len(search(small_archive.site, "Evening Post")) == 7
    assert search(small_archive.site, "冬奥 Evening") == []


def test_an_edited_article_is_found_by_its_new_words_only(small_archive):
    made = small_archive
    made.add("周刊", "火锅店开张", "<p>一家火锅店开张了。</p>", START_MS + 150 * DAY_MS,
             url="https://news.example/hotpot")
    build_archive_site(made.archive)
    made.fetch_again("周刊", "https://news.example/hotpot", "饺子馆开张",
                     "<p>原来的店改卖饺子。</p>", START_MS + 151 * DAY_MS)
    made.add("晨报", "寿司新闻", "<p>新开的寿司店。</p>", START_MS + 152 * DAY_MS)
    build_archive_site(made.archive)
    manifest = json.loads((made.site / "search-index/index.json").read_text())
    assert len(manifest["segments"]) == 2  # the base, untouched, and a delta
    assert search(made.site, "火锅店开张") == []
    assert search(made.site, "饺子馆") == ["饺子馆开张"]
    assert search(made.site, "寿司") == ["寿司新闻"]
    assert manifest["docs"] == made.count
    assert manifest["segments"][1]["docs"] == 2 and len(manifest["segments"][1]["deleted"]) == 1


def test_a_large_delta_rebuilds_the_base(small_archive, monkeypatch):
    build_archive_site(small_archive.archive)
    small_archive.add("周刊", "寿司新闻", "<p>新开的寿司店。</p>", START_MS + 152 * DAY_MS)
    monkeypatch.setattr(search_index, "MIN_DELTA_LIMIT", 0)
    monkeypatch.setattr(search_index, "DELTA_SHARE", 0)
    build_archive_site(small_archive.archive)
    manifest = json.loads((small_archive.site / "search-index/index.json").read_text())
    assert len(manifest["segments"]) == 1 and manifest["segments"][0]["deleted"] == []
    assert search(small_archive.site, "寿司") == ["寿司新闻"]
    folders = [p.name for p in (small_archive.site / "search-index").iterdir() if p.is_dir()]
    assert folders == [manifest["segments"][0]["id"]]  # the old segments are gone


@pytest.mark.parametrize("query, title", [("臺灣", "台湾新闻"), ("ＶＰＮ", "VPN 新闻")])
def test_queries_fold_like_the_articles(small_archive, query, title):
    small_archive.add("周刊", title, "<p>测试。</p>", START_MS + 152 * DAY_MS)
    build_archive_site(small_archive.archive)
    assert search(small_archive.site, query) == [title]
