"""The archive's writers: they parse fetched feeds and store them, several sources to a
commit. With enough sources they run as processes (one per core), so that the event loop
keeps its time for HTTP and feed items never cross a process boundary (only the raw
bodies do); otherwise as one thread. Both run the same loop, :func:`serve`.
"""

import asyncio
import multiprocessing
import os
import queue
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from newsvault.clock import now_ms
from newsvault.content.summary import looks_like_summary
from newsvault.errors import FeedError
from newsvault.feeds import parse_feed
from newsvault.model import FetchOutcome, Source
from newsvault.store import FetchRecord, FetchResult, IngestCounts, SqliteStore, open_store
from newsvault.store.identity import unique_entries

BATCH_LIMIT = 32  # sources per commit at most; a batch is whatever is waiting, up to this
_STOP = None
_POLL_SECONDS = 0.5


@dataclass(slots=True)
class Fetched:
    """One source's HTTP result, handed from the fetch stage to the writer."""

    source: Source
    record: FetchRecord
    body: bytes | None = None  # a feed to parse; None after a failure or a 304
    url: str = ""
    content_type: str | None = None
    etag: str | None = None  # validators to keep once the body has parsed
    last_modified: str | None = None


def save_batch(store: SqliteStore, results: list[FetchResult],
               write_lock=None) -> list[FetchOutcome]:
    try:
        with write_lock or nullcontext():
            saved = store.save_fetches(results)
    except Exception as error:  # noqa: BLE001 - e.g. a full disk: every source hears of it
        saved = [error] * len(results)
    return [_outcome(result, counts) for result, counts in zip(results, saved)]


def parse_fetched(item: Fetched) -> FetchResult:
    if item.body is None:
        return FetchResult(item.source, [], item.record)
    try:
        feed = parse_feed(item.body, url=item.url, content_type=item.content_type)
    except FeedError as error:
        # the validators are not kept: the next run must get the whole body again
        record = replace(item.record, status="error", error=str(error), finished_ms=now_ms())
        return FetchResult(item.source, [], record)
    item.source.etag, item.source.last_modified = item.etag, item.last_modified
    record = replace(item.record, items=len(feed.entries), finished_ms=now_ms())
    keyed = unique_entries(feed.entries)
    return FetchResult(item.source, feed.entries, record, keyed=keyed,
                       wants_page=pages_wanted(item.source.full_text, keyed))


def pages_wanted(mode: str, keyed: list) -> set[str] | None:
    """The guids of the items whose article page the full-text step is to fetch, if they
    are new or changed: all of them ("always"), those that look like a summary ("auto")."""
    if mode == "never":
        return None
    return {guid for entry, guid, _, _ in keyed
            if entry.url and entry.url.startswith(("http://", "https://"))
            and (mode == "always" or looks_like_summary(entry.content_html))}


def _outcome(result: FetchResult, counts: IngestCounts | Exception) -> FetchOutcome:
    record = result.record
    outcome = FetchOutcome(source=result.source.name, status=record.status,
                           http_status=record.http_status, bytes=record.bytes,
                           items=record.items, error=record.error)
    if isinstance(counts, Exception):
        outcome.status, outcome.error = "error", f"store: {counts}"
    else:
        outcome.new, outcome.updated, outcome.unchanged = counts.new, counts.updated, counts.unchanged
    return outcome


def serve(db_path: Path, inbox, outbox, parent_pid: int | None = None,
          write_lock=None) -> None:
    """Take (job id, Fetched) pairs from ``inbox`` until the stop mark, and put lists of
    (job id, FetchOutcome) on ``outbox``. ``parent_pid``: give up when that process dies.
    ``write_lock``: shared by the writer processes, so that one waiting for SQLite's write
    lock wakes the moment it is free (SQLite's own busy wait sleeps up to 100 ms at a time).

    A parser thread feeds the storing thread, so parsing the next feeds overlaps with
    SQLite writing and syncing the last ones (both release the GIL for most of their work).
    """
    if parent_pid is not None:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,),
                         name="newsvault-orphan-watch", daemon=True).start()
    parsed: queue.Queue = queue.Queue(maxsize=2 * BATCH_LIMIT)
    parser = threading.Thread(target=_parse_jobs, args=(inbox, parsed),
                              name="newsvault-parser", daemon=True)
    parser.start()
    store = open_store(db_path, bulk_writes=True)
    try:
        while True:
            batch, stopping = _batch_after(parsed.get(), parsed)
            if batch:
                outcomes = save_batch(store, [result for _, result in batch], write_lock)
                outbox.put([(job_id, outcome) for (job_id, _), outcome in zip(batch, outcomes)])
            if stopping:
                return
    finally:
        store.close()
        outbox.put(_STOP)


def _exit_when_orphaned(parent_pid: int) -> None:
    """A killed run can leave half a message in the inbox pipe, on which a read blocks
    forever (this process holds the pipe's write end too): so watch from a thread of its
    own, and leave at once. Whatever is committed stays consistent; an open transaction
    is rolled back by SQLite."""
    while os.getppid() == parent_pid:
        time.sleep(_POLL_SECONDS)
    os._exit(0)


def _parse_jobs(inbox, parsed: queue.Queue) -> None:
    while True:
        job = inbox.get()
        if job is _STOP:
            parsed.put(_STOP)
            return
        job_id, item = job
        try:
            parsed.put((job_id, parse_fetched(item)))
        except Exception as error:  # noqa: BLE001 - a parser bug costs one source
            record = replace(item.record, status="error", error=f"internal error: {error!r}")
            parsed.put((job_id, FetchResult(item.source, [], record)))


def _batch_after(first, waiting: queue.Queue) -> tuple[list, bool]:
    """``first`` and whatever else is already waiting, up to BATCH_LIMIT; and whether the
    stop mark came."""
    if first is _STOP:
        return [], True
    batch = [first]
    while len(batch) < BATCH_LIMIT:
        try:
            job = waiting.get_nowait()
        except queue.Empty:
            break
        if job is _STOP:
            return batch, True
        batch.append(job)
    return batch, False


class Archiver:
    """``await archiver.archive(fetched)`` from the event loop. ``processes`` writers share
    the work (0: one thread in this process instead); each batches what arrives while it is
    busy, and SQLite's write lock takes their commits in turn.

    Use as ``async with Archiver(db_path, processes)``.
    """

    def __init__(self, db_path: Path, processes: int):
        self._db_path, self._processes = Path(db_path), processes
        self._pending: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list = []
        self._inbox = self._outbox = None
        self._reader: threading.Thread | None = None
        self._write_lock = None

    async def __aenter__(self) -> "Archiver":
        self._loop = asyncio.get_running_loop()
        if self._processes:
            context = multiprocessing.get_context("spawn")  # no forking of a threaded process
            self._inbox, self._outbox = context.Queue(), context.Queue()
            # kept referenced: a lock collected before a child opened it is gone for the child
            self._write_lock = write_lock = context.Lock()
            self._workers = [
                context.Process(target=serve, name=f"newsvault-writer-{number}", daemon=True,
                                args=(self._db_path, self._inbox, self._outbox, os.getpid(),
                                      write_lock))
                for number in range(self._processes)
            ]
        else:
            self._inbox, self._outbox = queue.Queue(), queue.Queue()
            self._workers = [threading.Thread(target=serve, name="newsvault-writer", daemon=True,
                                              args=(self._db_path, self._inbox, self._outbox))]
        for worker in self._workers:
            worker.start()
        self._reader = threading.Thread(target=self._read_outcomes, name="newsvault-outcomes",
                                        daemon=True)
        self._reader.start()
        return self

    async def archive(self, item: Fetched) -> FetchOutcome:
        job_id, self._next_id = self._next_id, self._next_id + 1
        future = self._loop.create_future()
        self._pending[job_id] = future
        self._inbox.put((job_id, item))
        return await future

    async def __aexit__(self, *exc_info) -> None:
        for _ in self._workers:
            self._inbox.put(_STOP)
        for worker in self._workers:
            await asyncio.to_thread(worker.join)
        await asyncio.to_thread(self._reader.join)

    def _read_outcomes(self) -> None:
        """Until every writer has said it stopped, or one died without saying so."""
        running = len(self._workers)
        while running:
            try:
                done = self._outbox.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._stopped_silently():
                    break
                continue
            if done is _STOP:
                running -= 1
            else:
                self._loop.call_soon_threadsafe(self._resolve, done)
        self._loop.call_soon_threadsafe(self._fail_pending)

    def _stopped_silently(self) -> bool:
        return any(not worker.is_alive() for worker in self._workers) and self._outbox.empty()

    def _resolve(self, done: list[tuple[int, FetchOutcome]]) -> None:
        for job_id, outcome in done:
            future = self._pending.pop(job_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    def _fail_pending(self) -> None:
        """A writer that died took its jobs with it; no one can tell which: fail them all."""
        codes = [str(code) for code in (getattr(worker, "exitcode", None)
                                        for worker in self._workers) if code]
        reason = "the archive writer stopped" + (f" (exit code {', '.join(codes)})"
                                                 if codes else "")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RuntimeError(reason))
        self._pending.clear()
