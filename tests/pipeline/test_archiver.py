"""The archive writer: batches of sources in one commit, each source all-or-nothing;
a writer that dies or is orphaned never leaves the run hanging."""

import asyncio
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest

from newsvault.config import SourceSettings
from newsvault.model import Entry
from newsvault.pipeline.archiver import Archiver, Fetched
from newsvault.pipeline.writer import STOP, serve
from newsvault.store import FetchRecord, FetchResult, open_store

pytestmark = pytest.mark.timeout(60)

RSS = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
       b'<item><title>\xe6\xa0\x87\xe9\xa2\x98 %d</title><link>http://a.test/%d</link>'
       b'<description>body</description></item></channel></rss>')


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "newsvault.db"
    store = open_store(path)
    store.sync_sources([SourceSettings(f"source {n}", f"http://a.test/{n}.xml")
                        for n in range(4)], now_ms=1)
    store.close()
    return path


def load_sources(db_path):
    store = open_store(db_path)
    try:
        return store.configured_sources()
    finally:
        store.close()


def count_articles(db_path) -> dict[str, int]:
    store = open_store(db_path)
    try:
        return {status.name: status.articles for status in store.source_statuses()}
    finally:
        store.close()


def test_a_failing_source_is_rolled_back_alone_in_a_shared_commit(db_path):
    store = open_store(db_path)
    good, bad, also_good = store.configured_sources()[:3]
    record = FetchRecord(1, 2, "ok", 200)
    broken = Entry(title=None, url="http://a.test/broken")  # fails after "二" went in
    results = store.save_fetches([
        FetchResult(good, [Entry(title="一", url="http://a.test/1")], record),
        FetchResult(bad, [Entry(title="二", url="http://a.test/2"), broken], record),
        FetchResult(also_good, [Entry(title="三", url="http://a.test/3")], record),
    ])
    store.close()
    assert [isinstance(result, Exception) for result in results] == [False, True, False]
    articles = count_articles(db_path)
    assert (articles["source 0"], articles["source 1"], articles["source 2"]) == (1, 0, 1)


@pytest.mark.parametrize("processes", [0, 2])
def test_writers_parse_and_store_every_source(db_path, processes):
    sources = load_sources(db_path)

    async def archive_all():
        async with Archiver(db_path, processes) as archiver:
            jobs = [archiver.archive(Fetched(source, FetchRecord(1, 1, "ok", 200),
                                             body=RSS % (n, n), url=source.url))
                    for n, source in enumerate(sources)]
            jobs.append(archiver.archive(Fetched(sources[0], FetchRecord(1, 1, "ok", 200),
                                                 body=b"<html>not a feed</html>",
                                                 url=sources[0].url)))
            return await asyncio.gather(*jobs)

    outcomes = asyncio.run(archive_all())
    assert [outcome.new for outcome in outcomes[:4]] == [1, 1, 1, 1]
    assert outcomes[4].status == "error" and "not a feed" in outcomes[4].error
    assert sum(count_articles(db_path).values()) == 4


def test_a_dead_writer_fails_the_waiting_sources_instead_of_hanging(db_path):
    sources = load_sources(db_path)

    async def archive_with_a_killed_writer():
        async with Archiver(db_path, 1) as archiver:
            [writer] = archiver._workers
            os.kill(writer.pid, signal.SIGKILL)
            writer.join()
            return await archiver.archive(Fetched(sources[0], FetchRecord(1, 1, "ok", 200),
                                                  body=RSS % (1, 1), url=sources[0].url))

    with pytest.raises(RuntimeError, match="archive writer stopped"):
        asyncio.run(archive_with_a_killed_writer())


def test_sources_handed_over_after_the_writers_died_fail_and_the_run_exits(db_path):
    # the writers' deaths are noticed first; then many large bodies, more than the pipe
    # to the dead writer holds: each must fail at once and the process must still exit
    script = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import asyncio, os, signal
        from newsvault.pipeline.archiver import Archiver, Fetched
        from newsvault.store import FetchRecord, open_store

        async def main():
            store = open_store({str(db_path)!r})
            source = store.configured_sources()[0]
            async with Archiver(store.path, 1) as archiver:
                os.kill(archiver._workers[0].pid, signal.SIGKILL)
                await asyncio.to_thread(archiver._reader.join)
                failed = 0
                for n in range(40):
                    try:
                        await archiver.archive(Fetched(source, FetchRecord(1, 1, "ok", 200),
                                                       body=b"x" * 1_000_000, url=source.url))
                    except RuntimeError as error:
                        failed += "archive writer stopped" in str(error)
                print(failed, flush=True)

        asyncio.run(main())
    """)], capture_output=True, text=True, timeout=40)
    assert script.stdout.split() == ["40"], script.stderr


def test_an_orphaned_writer_exits_when_its_run_is_killed(db_path):
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import asyncio, sys
        from newsvault.pipeline.archiver import Archiver

        async def main():
            async with Archiver({str(db_path)!r}, 1) as archiver:
                print(archiver._workers[0].pid, flush=True)
                await asyncio.sleep(120)

        asyncio.run(main())
    """)], stdout=subprocess.PIPE, text=True)
    writer_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    writer = psutil.Process(writer_pid)
    deadline = time.monotonic() + 20
    while writer.is_running() and writer.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the orphaned writer is still running"
        time.sleep(0.1)


def test_a_writer_locked_out_parses_meanwhile_and_stores_all_it_parsed_in_one_commit(db_path):
    sources = load_sources(db_path)
    inbox, outbox, write_lock = queue.Queue(), queue.Queue(), threading.Lock()
    write_lock.acquire()  # another writer is storing
    writer = threading.Thread(target=serve, args=(db_path, inbox, outbox, None, write_lock))
    writer.start()
    for n, source in enumerate(sources):
        inbox.put((n, Fetched(source, FetchRecord(1, 1, "ok", 200), body=RSS % (n, n),
                              url=source.url)))
    deadline = time.monotonic() + 20
    while not inbox.empty() and time.monotonic() < deadline:  # all taken while locked out
        time.sleep(0.01)
    assert inbox.empty() and outbox.empty()
    write_lock.release()
    inbox.put(STOP)
    writer.join(20)
    batches = list(iter(outbox.get, STOP))
    assert [sorted(job_id for job_id, _ in batch) for batch in batches] == [[0, 1, 2, 3]]
    assert all(outcome.new == 1 for _, outcome in batches[0])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_writers_inbox_pipe_holds_a_whole_feed_body(db_path):
    import fcntl

    async def pipe_size():
        async with Archiver(db_path, 1) as archiver:
            return fcntl.fcntl(archiver._inbox._writer.fileno(), fcntl.F_GETPIPE_SZ)

    assert asyncio.run(pipe_size()) >= 1 << 20
