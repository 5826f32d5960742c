"""The archive's writer loop, :func:`serve`: it parses fetched feeds and stores them, several
sources to a commit. It runs in a writer process (one per core, started by archiver.py),
or as a thread of the fetching process when there are few sources. This module is all a
writer process imports besides the feeds and the store: no asyncio, no HTTP.
"""

import queue
import threading
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from newsvault.clock import now_ms
from newsvault.content.summary import looks_like_summary
from newsvault.errors import FeedError
from newsvault.feeds import parse_feed
from newsvault.model import FetchOutcome
from newsvault.pipeline.handover import BATCH_LIMIT, POLL_SECONDS, STOP, Fetched
from newsvault.store import FetchResult, IngestCounts, SqliteStore, open_store
from newsvault.store.identity import KeyedEntry, unique_entries
from newsvault.workers import exit_with_parent

__all__ = ["BATCH_LIMIT", "STOP", "Fetched", "parse_fetched", "save_batch", "serve"]

CUT_OFF = ("parser: the feed is cut off (its XML ends before it is closed): only the whole"
           " items before the cut are kept")


def save_batch(store: SqliteStore, results: list[FetchResult]) -> list[FetchOutcome]:
    try:
        saved = store.save_fetches(results)
    except Exception as error:  # noqa: BLE001 - e.g. a full disk: every source hears of it
        saved = [error] * len(results)
    return [_outcome(result, counts) for result, counts in zip(results, saved)]


def parse_fetched(item: Fetched) -> FetchResult:
    if item.body is None:
        if item.record.status == "not_modified":  # a 304 may name the version anew
            item.source.etag, item.source.last_modified = item.etag, item.last_modified
        return FetchResult(item.source, [], item.record)
    try:
        feed = parse_feed(item.body, url=item.url, content_type=item.content_type,
                          local_zone=ZoneInfo(item.local_zone))
    except FeedError as error:
        # the validators are not kept: the next run must get the whole body again; nor is
        # a permanent redirect to what is no feed (a site's home page after a redesign)
        record = replace(item.record, status="error", error=str(error), finished_ms=now_ms(),
                         moved_to=None)
        return FetchResult(item.source, [], record)
    record = replace(item.record, items=len(feed.entries), finished_ms=now_ms())
    if feed.truncated:
        # the validators are not kept: a 304 to them would keep the rest of the feed away
        record.error = CUT_OFF
    else:
        item.source.etag, item.source.last_modified = item.etag, item.last_modified
    keyed = unique_entries(feed.entries)
    return FetchResult(item.source, feed.entries, record, keyed=keyed,
                       wants_page=pages_wanted(item.source.full_text, keyed))


def pages_wanted(mode: str, keyed: list[KeyedEntry]) -> set[str] | None:
    """The guids of the items whose article page the full-text step is to fetch, if they
    are new or changed: all of them ("always"), those that look like a summary ("auto")."""
    if mode == "never":
        return None
    return {keys.guid for keys in keyed
            if keys.entry.url and keys.entry.url.startswith(("http://", "https://"))
            and (mode == "always" or looks_like_summary(keys.entry.content_html))}


def _outcome(result: FetchResult, counts: IngestCounts | Exception) -> FetchOutcome:
    record = result.record
    outcome = FetchOutcome(source=result.source.name, status=record.status,
                           http_status=record.http_status, bytes=record.bytes,
                           items=record.items, error=record.error)
    if isinstance(counts, Exception):
        said = str(counts)
        outcome.status = "error"
        outcome.error = said if said.startswith("store: ") else f"store: {said}"
    else:
        outcome.new, outcome.updated, outcome.unchanged = counts.new, counts.updated, counts.unchanged
    return outcome


def serve(db_path: Path, inbox, outbox, parent_pid: int | None = None,
          write_lock=None) -> None:
    """Take (job id, Fetched) pairs from ``inbox`` until the stop mark, and put lists of
    (job id, FetchOutcome) on ``outbox``. ``parent_pid``: give up when that process dies.
    ``write_lock``: shared by the writer processes, so that one waiting for SQLite's write
    lock wakes the moment it is free (SQLite's own busy wait sleeps up to 100 ms at a time).

    One thread parses and stores in turn: while another writer holds the write lock, this
    one parses the next feeds; once it has the lock, it stores all it has parsed in one
    commit. (A parsing thread next to the storing one held the GIL against it: storing,
    which every writer waits for, took nearly three times as long; bench/writer_bench.py.)
    """
    if parent_pid is not None:
        # a killed run can leave half a message in the inbox pipe, on which a read blocks
        # forever (this process holds the pipe's write end too)
        exit_with_parent(parent_pid, every=POLL_SECONDS)
    write_lock = write_lock or threading.Lock()
    store = open_store(db_path, bulk_writes=True)
    parsed: list[tuple[int, FetchResult]] = []
    stopping = False
    try:
        while parsed or not stopping:
            job = _next_step(inbox, write_lock, parsed, stopping)
            if job is _STORE:
                try:
                    outcomes = save_batch(store, [result for _, result in parsed])
                finally:
                    write_lock.release()
                outbox.put([(job_id, outcome) for (job_id, _), outcome in zip(parsed, outcomes)])
                parsed = []
            elif job is STOP:
                stopping = True
            else:
                parsed.append(_parsed(job))
    finally:
        store.close()
        outbox.put(STOP)


_STORE = object()  # what _next_step returns when the write lock is taken


def _next_step(inbox, write_lock, parsed: list, stopping: bool):
    """The next job from ``inbox``, or _STORE with ``write_lock`` held: as soon as the
    lock is free, or when there is nothing else to do."""
    if not parsed:
        return inbox.get()
    if write_lock.acquire(False):
        return _STORE
    if not stopping and len(parsed) < BATCH_LIMIT:
        try:
            return inbox.get_nowait()  # another writer is storing: parse meanwhile
        except queue.Empty:
            pass
    write_lock.acquire()
    return _STORE


def _parsed(job: tuple[int, Fetched]) -> tuple[int, FetchResult]:
    job_id, item = job
    try:
        return job_id, parse_fetched(item)
    except Exception as error:  # noqa: BLE001 - a parser bug costs one source
        record = replace(item.record, status="error", error=f"internal error: {error!r}")
        return job_id, FetchResult(item.source, [], record)
