"""The archive writer's storing step on the fetch benchmark's feeds (not a test; by hand).

    python -m bench.writer_bench [--feeds 250] [--rounds 3]

Builds the feeds of bench/feedworld.py (as bench/fetch_bench.py serves them), parses them
once as a writer does, then stores them into a fresh archive per variant, in batches of
32 feeds, and prints the wall time and the storing thread's CPU time of:

- the writer as it is (``save_fetches``);
- the same while another thread of the process parses feeds, as a writer process's
  parser thread did until session 7 (the storing thread then waits for the GIL);
- every source in a savepoint of its own, as ``save_fetches`` does only once a batch
  has failed;
- SQLite's default page cache (2 MB) instead of the writers' 16 MB.

The variants alternate within each round, so that this VM's changing CPU speed touches
them alike. The script checks that every variant stored every article; it never asserts
a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also runnable as `python bench/writer_bench.py`
    sys.path.insert(0, str(REPO))

from bench.corpus import load_posts  # noqa: E402
from bench.feedworld import DEFAULT_ITEMS, build_world, default_target_bytes  # noqa: E402
from newsvault.config import SourceSettings  # noqa: E402
from newsvault.pipeline.writer import BATCH_LIMIT, Fetched, parse_fetched  # noqa: E402
from newsvault.store import FetchRecord, open_store  # noqa: E402

VARIANTS = ("as it is", "beside a parsing thread", "a savepoint per source",
            "default page cache (2 MB)")


def parsed_world(feeds: int, folder: Path):
    world = build_world(load_posts(), feeds=feeds, items=DEFAULT_ITEMS,
                        target_bytes=default_target_bytes(feeds, DEFAULT_ITEMS))
    settings = [SourceSettings(feed.info.name, f"http://127.0.0.1/{feed.info.name}")
                for feed in world.feeds]
    store = _fresh_store(folder / "parse", settings)
    sources = store.configured_sources()
    store.close()
    fetched = [Fetched(source, FetchRecord(0, 0, "ok", 200, len(feed.body)), feed.body,
                       source.url, feed.info.content_type)
               for source, feed in zip(sources, world.feeds)]
    for item in fetched:
        item.source.full_text = "never"
    return settings, fetched, [parse_fetched(item) for item in fetched]


def _fresh_store(folder: Path, settings: list[SourceSettings]):
    folder.mkdir(parents=True)
    store = open_store(folder / "newsvault.db", bulk_writes=True)
    store.sync_sources(settings, now_ms=1)
    return store


def store_once(variant: str, folder: Path, settings, fetched, results) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the storing thread, articles stored)"""
    store = _fresh_store(folder, settings)
    if variant == "default page cache (2 MB)":
        store._db.execute("PRAGMA cache_size=-2000")
    save = store._save_each_alone if variant == "a savepoint per source" else store.save_fetches
    stop = threading.Event()
    parser = threading.Thread(target=_parse_until, args=(fetched, stop), daemon=True)
    if variant == "beside a parsing thread":
        parser.start()
        time.sleep(0.2)  # under way
    started, cpu = time.perf_counter(), time.thread_time()
    for at in range(0, len(results), BATCH_LIMIT):
        save(results[at:at + BATCH_LIMIT])
    wall, cpu = time.perf_counter() - started, time.thread_time() - cpu
    stop.set()
    if parser.is_alive():
        parser.join()
    articles = store.totals()["articles"]
    store.close()
    return wall, cpu, articles


def _parse_until(fetched, stop: threading.Event) -> None:
    while not stop.is_set():
        for item in fetched:
            if stop.is_set():
                return
            parse_fetched(item)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsvault-writer-bench-") as work:
        folder = Path(work)
        settings, fetched, results = parsed_world(args.feeds, folder)
        expected = sum(len(result.keyed) for result in results)
        print(f"{args.feeds} feeds, {expected} items parsed; storing in batches of "
              f"{BATCH_LIMIT} feeds")
        figures: dict[str, list[tuple[float, float]]] = {variant: [] for variant in VARIANTS}
        wrong = []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}:")
            for number, variant in enumerate(VARIANTS):
                wall, cpu, articles = store_once(variant, folder / f"{round_}-{number}",
                                                 settings, fetched, results)
                figures[variant].append((wall, cpu))
                print(f"  {variant:28s} wall {wall:5.2f} s   storing thread's CPU {cpu:5.2f} s"
                      f"   articles {articles}")
                if articles != expected:
                    wrong.append(f"round {round_}, {variant}: {articles} articles, not {expected}")
    print("median:")
    for variant, runs in figures.items():
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        print(f"  {variant:28s} wall {wall:5.2f} s   storing thread's CPU {cpu:5.2f} s")
    for problem in wrong:
        print(f"WRONG: {problem}")
    print("RESULT: " + ("FAILED" if wrong else f"every variant stored all {expected} articles"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
