"""Worker processes for the CPU-bound stages that read articles from the archive
(cleaning, the full-text search index, the site's static search index), and the loop
that brings a table derived from the articles up to date behind its watermark.

Each worker opens the store itself, so that article content never travels through a
pipe: a task gets the ids to work on and reads the rest. Workers are spawned, not forked:
`serve` runs these stages from a threaded process, where a fork could copy a held lock.
"""

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from newsvault.store import SqliteStore, open_store

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# (task, argument tuples) → task(store, *context, *arguments) for each, results in order
Runner = Callable[[Callable, Iterable[tuple]], Iterator]
Pending = list[tuple[int, int]]  # (article id, change_seq), oldest change first
PARENT_POLL_SECONDS = 1.0


def catch_up(store: SqliteStore, start_seq: int, pending: Pending, task: Callable,
             save: Callable[[int, int, list], bool], batch: int, workers_from: int,
             workers: int | None) -> tuple[bool, int]:
    """Makes the rows of the ``pending`` articles, ``batch`` at a time, with
    ``task(store, ids)`` (in worker processes from ``workers_from`` articles: starting
    them costs more below), and stores each batch with ``save(expected_seq, new_seq,
    rows)``, which moves the watermark from ``start_seq`` on and returns False when
    another process moved it meanwhile. Batches commit one by one: a concurrent writer
    waits for one at most, a killed run resumes where it stopped. Returns (whether every
    batch was saved, articles saved)."""
    batches = [pending[at:at + batch] for at in range(0, len(pending), batch)]
    workers = workers if workers is not None else os.cpu_count() or 1
    expected, saved = start_seq, 0
    ids = [([article_id for article_id, _ in part],) for part in batches]
    with store_workers(store, workers if len(pending) >= workers_from else 1) as run:
        for part, rows in zip(batches, run(task, ids)):
            if not save(expected, part[-1][1], rows):
                return False, saved
            expected = part[-1][1]
            saved += len(part)
    return True, saved


@contextmanager
def store_workers(store: SqliteStore, workers: int, *context) -> Iterator[Runner]:
    """A runner of tasks: here with fewer than two ``workers``, else in that many spawned
    processes, each with its own store and ``context`` (picklable), two tasks per worker
    in flight while the caller consumes results. Tasks must be module-level functions."""
    if workers < 2:
        yield lambda task, arguments: (task(store, *context, *args) for args in arguments)
        return
    from concurrent.futures import ProcessPoolExecutor  # here: a small update needs no pool
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start,
                             initargs=(store.path, context, os.getpid())) as pool:
        yield lambda task, arguments: _in_order(pool, 2 * workers, task, arguments)


def _in_order(pool: "ProcessPoolExecutor", ahead: int, task: Callable,
              arguments: Iterable[tuple]) -> Iterator:
    in_flight = deque()
    for args in arguments:
        in_flight.append(pool.submit(_run, task, args))
        if len(in_flight) >= ahead:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


_state: tuple = ()


def _start(path, context: tuple, parent_pid: int) -> None:
    global _state
    exit_with_parent(parent_pid)
    _state = (open_store(path), *context)


def exit_with_parent(parent_pid: int, every: float = PARENT_POLL_SECONDS) -> None:
    """In a child process (a pool's worker, a fetch's writer): leave as soon as
    ``parent_pid`` is gone. A parent killed by SIGTERM or SIGKILL cannot shut its children
    down, and idle ones would wait for work for minutes, holding the archive open.
    Watched from a thread, as the child's own thread blocks reading its queue or pipe.
    Whatever is committed stays consistent; an open transaction is rolled back by SQLite.

    Ctrl-C reaches every process of the terminal's group: a child ignores it, and the
    parent, which says "interrupted", ends it (no traceback from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid, every), daemon=True,
                     name="newsvault-parent-watch").start()


def _watch_parent(parent_pid: int, every: float) -> None:
    while os.getppid() == parent_pid:  # an orphan is adopted by another process
        time.sleep(every)
    os._exit(1)


def _run(task: Callable, arguments: tuple):
    return task(*_state, *arguments)
