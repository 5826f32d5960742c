"""search_articles and the index kept in step with the archive, on a real SQLite file."""

import sqlite3

import pytest

from newsvault.errors import SearchQueryError
from newsvault.search import indexer, search_articles, update_index
from newsvault.store import StoreError, open_store

from .helpers import BASE_MS, entry, save

WINTER_GAMES = entry(1, "北京冬奥会开幕", "<p>冬奥会今天在北京开幕，<b>各国</b>运动员入场。</p>")
PHONE_CALL = entry(2, "王毅与布林肯通话", "<p>美国國務院發言人Ned Price說，雙方談到臺灣。</p>")
VPN = entry(3, "翻墙软件", "<p>Many people use a VPN; 许多人使用VPN上网。</p>")


def titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def indexed_rows(store) -> int:
    db = sqlite3.connect(store.path)
    try:
        return db.execute("SELECT COUNT(*) FROM search_index_docsize").fetchone()[0]
    finally:
        db.close()


def test_new_articles_are_found_and_the_index_reports_what_it_did(store):
    save(store, "早报", [WINTER_GAMES, PHONE_CALL, VPN])
    assert update_index(store).indexed == 3
    assert update_index(store).indexed == 0  # nothing changed since
    assert titles(search_articles(store, "冬奥")) == ["北京冬奥会开幕"]
    assert titles(search_articles(store, "台湾")) == ["王毅与布林肯通话"]
    assert titles(search_articles(store, '"ned price"')) == ["王毅与布林肯通话"]
    assert titles(search_articles(store, "vpn")) == ["翻墙软件"]


def test_every_search_brings_the_index_up_to_date_first(store):
    save(store, "早报", [WINTER_GAMES])
    assert titles(search_articles(store, "冬奥")) == ["北京冬奥会开幕"]
    save(store, "早报", [VPN], at=BASE_MS + 1000)
    assert titles(search_articles(store, "VPN")) == ["翻墙软件"]


def test_an_updated_article_is_found_by_its_new_text_and_no_longer_by_the_old(store):
    save(store, "早报", [WINTER_GAMES, VPN])
    update_index(store)
    revised = entry(1, "北京冬残奥会闭幕", "<p>冬残奥会在北京闭幕。</p>")
    save(store, "早报", [revised], at=BASE_MS + 1000)
    assert update_index(store).indexed == 1
    assert titles(search_articles(store, "闭幕")) == ["北京冬残奥会闭幕"]
    assert search_articles(store, "开幕") == []
    assert search_articles(store, "运动员") == []
    assert indexed_rows(store) == 2


def test_hits_carry_the_original_link_source_and_post_date(store):
    save(store, "早报", [PHONE_CALL])
    save(store, "Daily", [entry(9, "No date given", "<p>布林肯 again</p>", published_ms=None)],
         at=BASE_MS + 5000)
    hits = {hit.title: hit for hit in search_articles(store, "布林肯")}
    call = hits["王毅与布林肯通话"]
    assert (call.url, call.source, call.published) == (
        "http://a.test/story/2", "早报", "2022-01-27T09:34:52.404Z")
    assert hits["No date given"].published == "2022-01-27T09:36:57.404Z"  # first seen
    assert set(call.to_json()) == {"title", "url", "source", "published", "snippet"}


def test_title_matches_rank_above_body_matches(store):
    body_only = entry(5, "一篇评论", "<p>评论里顺带提到布林肯。</p>")
    save(store, "早报", [body_only, PHONE_CALL])
    assert titles(search_articles(store, "布林肯")) == ["王毅与布林肯通话", "一篇评论"]


def test_source_and_limit(store):
    save(store, "早报", [entry(n, f"冬奥新闻 {n}", "<p>冬奥</p>") for n in range(1, 6)])
    save(store, "Daily", [entry(10, "Winter Games 冬奥", "<p>冬奥</p>")])
    assert len(search_articles(store, "冬奥")) == 6
    assert len(search_articles(store, "冬奥", limit=2)) == 2
    assert titles(search_articles(store, "冬奥", source="Daily")) == ["Winter Games 冬奥"]
    with pytest.raises(SearchQueryError, match="no source named 'Nope'"):
        search_articles(store, "冬奥", source="Nope")
    with pytest.raises(SearchQueryError, match="limit"):
        search_articles(store, "冬奥", limit=0)


@pytest.mark.parametrize("query", ["AND", "NEAR(", '"', "*", "a OR", "title:冬奥", '"冬奥'])
def test_odd_queries_give_hits_or_a_clear_error_never_an_sqlite_one(store, query):
    save(store, "早报", [WINTER_GAMES, VPN])
    try:
        search_articles(store, query)
    except SearchQueryError as error:
        assert "nothing to search for" in str(error)


def test_snippets_mark_the_original_characters_around_the_first_match(store):
    long_body = "<p>" + "前文。" * 60 + "美国國務院發言人<i>Ned</i> Price說，雙方談到臺灣&lt;问题&gt;。" + \
        "后文。" * 60 + "</p>"
    save(store, "早报", [entry(7, "通话", long_body)])
    [hit] = search_articles(store, '台湾 "ned price"')
    marked = [text for text, matched in hit.snippet.parts if matched]
    assert marked == ["Ned Price", "臺灣"]
    html = hit.snippet.html()
    assert "<mark>臺灣</mark>&lt;问题&gt;" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(hit.snippet.plain()) <= 125


def test_a_snippet_does_not_cut_an_english_word(store):
    words = " ".join(f"word{n}" for n in range(80))
    save(store, "Daily", [entry(8, "English", f"<p>{words} target {words}</p>")])
    [hit] = search_articles(store, "target")
    text = hit.snippet.plain().strip("…")
    assert text.split()[0].startswith("word") and text.split()[-1].startswith("word")
    assert all(word in words.split() or word == "target" for word in text.split())


def test_a_title_only_match_shows_the_start_of_the_text(store):
    save(store, "早报", [entry(4, "布林肯访华", "<p>正文没有这个名字。</p>")])
    [hit] = search_articles(store, "布林肯")
    assert hit.snippet.plain() == "正文没有这个名字。"


def test_batches_commit_one_by_one_and_workers_give_the_same_index(store, monkeypatch):
    monkeypatch.setattr(indexer, "BATCH", 2)
    monkeypatch.setattr(indexer, "_PROCESS_THRESHOLD", 1)
    save(store, "早报", [entry(n, f"标题{n}", f"<p>正文{n} 冬奥</p>") for n in range(1, 8)])
    report = update_index(store, workers=2)
    assert report.indexed == 7
    assert store.search_state()[0] == store.current_seq()
    assert len(search_articles(store, "冬奥")) == 7
    assert titles(search_articles(store, "正文5")) == ["标题5"]


def test_another_tokenizer_rebuilds_the_whole_index(store, monkeypatch):
    save(store, "早报", [WINTER_GAMES, VPN])
    update_index(store)
    monkeypatch.setattr(indexer, "TOKENIZER", indexer.TOKENIZER + " changed")
    report = update_index(store)
    assert (report.rebuilt, report.indexed) == (True, 2)
    assert indexed_rows(store) == 2
    assert titles(search_articles(store, "冬奥")) == ["北京冬奥会开幕"]


def test_an_indexer_that_finds_the_watermark_moved_starts_again(store, monkeypatch):
    """Another process (a search in `serve` during a fetch) indexed the same articles
    meanwhile: nothing is indexed twice, nothing is deleted twice."""
    save(store, "早报", [WINTER_GAMES, PHONE_CALL, VPN])
    other = open_store(store.path)
    listed = store.search_pending

    def pending_then_other_indexes(after_seq):
        rows = listed(after_seq)
        if rows:
            update_index(other)
        return rows

    monkeypatch.setattr(store, "search_pending", pending_then_other_indexes)
    update_index(store)
    other.close()
    assert indexed_rows(store) == 3
    assert store.search_state()[0] == store.current_seq()
    assert titles(search_articles(store, "布林肯")) == ["王毅与布林肯通话"]


def test_an_archive_busy_for_too_long_is_a_clear_error(store):
    save(store, "早报", [WINTER_GAMES])
    blocker = sqlite3.connect(store.path)
    blocker.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    store._db.execute("PRAGMA busy_timeout = 50")  # instead of waiting 10 s
    try:
        with pytest.raises(StoreError, match="search: cannot update the index"):
            update_index(store)
    finally:
        blocker.rollback()
        blocker.close()
    assert titles(search_articles(store, "冬奥")) == ["北京冬奥会开幕"]


def test_a_hit_without_a_title_is_titled_with_the_start_of_its_text(store):
    save(store, "早报", [entry(7, "  ", "<p>一篇没有标题的冬奥报道，正文写得很长很长，超过三十个字的样子。</p>"),
                         entry(8, "", "<p></p>", url="http://a.test/empty")])
    [hit] = search_articles(store, "冬奥")
    assert hit.title == "一篇没有标题的冬奥报道，正文写得很长很长，超过三十个字的样子。"[:30] + "…"
    titles_by_url = {hit.url: hit.title for hit in search_articles(store, "早报", untitled="(无标题)")}
    assert titles_by_url["http://a.test/empty"] == "(无标题)"


def test_a_hit_carries_its_original_link_only_when_it_is_http(store):
    save(store, "早报", [entry(9, "脚本链接的冬奥报道", "<p>冬奥。</p>", url="javascript:alert(1)"),
                         entry(10, "正常链接的冬奥报道", "<p>冬奥。</p>")])
    links = {hit.title: hit.to_json()["url"] for hit in search_articles(store, "冬奥")}
    assert links == {"脚本链接的冬奥报道": "", "正常链接的冬奥报道": "http://a.test/story/10"}
