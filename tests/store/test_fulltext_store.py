"""The store's side of full text: the page queue filled with the feeds' items, the pages
kept, and the one place that chooses what an article shows."""

import sqlite3
import zlib

import pytest

from newsvault.config import SourceSettings
from newsvault.model import Entry
from newsvault.store import FetchRecord, FetchResult, open_store
from newsvault.store.records import PageResult
from newsvault.store.schema import MIGRATIONS

PAGE = b"<html><body><article><p>the page</p></article></body></html>"


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    store.sync_sources([SourceSettings("甲", "http://a.test/feed")], now_ms=1)
    yield store
    store.close()


def item(n, **changes):
    values = dict(title=f"标题 {n}", url=f"http://a.test/{n}", guid=f"g{n}",
                  content_html=f"<p>摘要 {n}</p>")
    values.update(changes)
    return Entry(**values)


def save(store, entries, wanted, at=1000):
    [source] = store.configured_sources()
    result = FetchResult(source, entries, FetchRecord(at, at, "ok", 200),
                         wants_page={entry.guid for entry in entries if entry.guid in wanted})
    [counts] = store.save_fetches([result])
    return counts


def shown(store, article_id):
    [source] = store.display_sources([article_id])  # what the sanitizer is given
    return source.content_html


def page_result(job, html, **values):
    return PageResult(job, "page", fetched_ms=5, final_url=job.url, http_status=200,
                      content_type="text/html", etag='"e"', raw_z=zlib.compress(PAGE),
                      fulltext_html=html, **values)


def test_new_and_changed_items_that_want_their_page_are_queued_once(store):
    save(store, [item(1), item(2)], wanted={"g1"})
    [job] = store.page_jobs([1])
    assert (job.url, job.content_html, job.attempts) == ("http://a.test/1", "<p>摘要 1</p>", 0)
    save(store, [item(1), item(2)], wanted={"g1", "g2"}, at=2000)  # unchanged: not queued
    assert [job.article_id for job in store.page_jobs([1])] == [job.article_id]
    store.save_pages([page_result(job, "<p>the page</p>")])
    assert store.page_jobs([1]) == []
    save(store, [item(1, content_html="<p>摘要 1, 改过</p>")], wanted={"g1"}, at=3000)
    [again] = store.page_jobs([1])
    assert (again.article_id, again.etag) == (job.article_id, '"e"')  # for a conditional GET


def test_the_extracted_page_is_shown_in_export_site_and_search_and_is_not_a_revision(store):
    save(store, [item(1)], wanted={"g1"})
    [job] = store.page_jobs([1])
    [before] = list(store.site_articles())
    seq = store.current_seq()
    store.save_pages([page_result(job, "<p>the page</p>")])
    assert shown(store, job.article_id) == "<p>the page</p>"
    # exports, site and search follow change_seq
    [row] = list(store.export_rows(after_seq=seq, clean=True))
    assert row.content_html == "<p>the page</p>"
    [raw] = list(store.export_rows(after_seq=seq))  # --raw: the feed's, as the source gave it
    assert raw.content_html == item(1).content_html
    assert store.search_sources([job.article_id])[0].content_html == b"<p>the page</p>"
    [after] = list(store.site_articles())
    assert after.content_hash != before.content_hash  # the site renders the article again
    assert after.revisions == 1
    assert store.stored_page(job.article_id).raw_html == PAGE

    seq = store.current_seq()
    store.save_pages([page_result(job, "<p>the page</p>")])  # the same again: no change
    assert store.current_seq() == seq


def test_a_failure_keeps_the_feed_content_and_network_errors_are_tried_three_times(store):
    save(store, [item(1), item(2)], wanted={"g1", "g2"})
    for attempt in range(3):
        jobs = {job.url: job for job in store.page_jobs([1])}
        results = [PageResult(jobs["http://a.test/1"], "failed", 5, error="timed out",
                              retry=True)]
        if "http://a.test/2" in jobs:
            results.append(PageResult(jobs["http://a.test/2"], "failed", 5, http_status=404,
                                      error="not found"))
        store.save_pages(results)
        assert [job.url for job in store.page_jobs([1])] == (
            ["http://a.test/1"] if attempt < 2 else [])
    assert shown(store, 1) == "<p>摘要 1</p>" and shown(store, 2) == "<p>摘要 2</p>"


def test_an_archive_of_schema_3_is_migrated_and_its_articles_keep_their_site_digests(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("".join(MIGRATIONS[:3]) + "PRAGMA user_version=3;")
    db.execute("INSERT INTO sources (name, url, created_ms) VALUES ('甲', 'http://a.test/', 1)")
    db.execute("INSERT INTO articles (source_id, title, first_seen_ms, updated_ms, content_html,"
               " content_hash, change_seq) VALUES (1, 't', 1, 1, '<p>x</p>', 'hash', 1)")
    db.commit()
    db.close()
    store = open_store(path)
    [row] = list(store.site_articles())
    assert row.content_hash == "hash"
    plan = " ".join(detail for *_, detail in store._db.execute(
        "EXPLAIN QUERY PLAN SELECT a.id, a.fulltext_hash, a.content_hash FROM articles a"))
    assert "COVERING INDEX articles_site_listing" in plan
    store.close()
