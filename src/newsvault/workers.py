"""Worker processes for the CPU-bound stages that read articles from the archive
(cleaning, the full-text search index, the site's static search index).

Each worker opens the store itself, so that article content never travels through a
pipe: a task gets the ids to work on and reads the rest. Workers are spawned, not forked:
`serve` runs these stages from a threaded process, where a fork could copy a held lock.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

from newsvault.store import SqliteStore, open_store

# (task, argument tuples) → task(store, *context, *arguments) for each, results in order
Runner = Callable[[Callable, Iterable[tuple]], Iterator]


@contextmanager
def store_workers(store: SqliteStore, workers: int, *context) -> Iterator[Runner]:
    """A runner of tasks: here with fewer than two ``workers``, else in that many spawned
    processes, each with its own store and ``context`` (picklable), two tasks per worker
    in flight while the caller consumes results. Tasks must be module-level functions."""
    if workers < 2:
        yield lambda task, arguments: (task(store, *context, *args) for args in arguments)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start,
                             initargs=(store.path, context)) as pool:
        yield lambda task, arguments: _in_order(pool, 2 * workers, task, arguments)


def _in_order(pool: ProcessPoolExecutor, ahead: int, task: Callable,
              arguments: Iterable[tuple]) -> Iterator:
    in_flight = deque()
    for args in arguments:
        in_flight.append(pool.submit(_run, task, args))
        if len(in_flight) >= ahead:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


_state: tuple = ()


def _start(path, context: tuple) -> None:
    global _state
    _state = (open_store(path), *context)


def _run(task: Callable, arguments: tuple):
    return task(*_state, *arguments)
