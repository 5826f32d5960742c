"""SIGTERM (``kill PID``; systemd's stop and a CI runner's timeout, which signal the whole
process group) stops a command as Ctrl-C does: it says "terminated" once and exits 143,
with no traceback, no multiprocessing warning of leaked semaphores, no child process left
and the archive consistent; the next run goes on."""

import os
import re
import signal
import sqlite3
import subprocess
import sys

import psutil
import pytest
from support.cli import FAST_FETCH, NO_SITE, SEED_NOW, ArchiveDir, cli_env
from support.feeds import numbered_feed
from support.posts import write_numbered_posts

FEEDS, ITEMS = 40, 50
FETCH = {**FAST_FETCH, "read_timeout": 10, "total_timeout": 30, "per_host": 8}

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def slow_feeds_archive(feed_server, tmp_path) -> ArchiveDir:
    """40 sources (enough for writer processes), each answering 0.1 s late."""
    archive = ArchiveDir.create(tmp_path / "news", fetch=FETCH, build=NO_SITE)
    for feed in range(FEEDS):
        path = f"/term/{feed}.xml"
        feed_server.route(path, body=numbered_feed(feed, ITEMS, host="term.example"),
                          delay=0.1, headers={"Content-Type": "application/rss+xml"})
        archive.add_source(f"源 {feed:02d}", feed_server.url(path))
    return archive


def start(archive: ArchiveDir, *args: str, ctrl_c_ignored: bool = False) -> subprocess.Popen:
    """The command in a process group of its own, as a systemd unit's or a CI job's;
    ``ctrl_c_ignored``: as a script's background job (``newsvault fetch &``) is."""
    def in_own_group():
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_IGN if ctrl_c_ignored else signal.SIG_DFL)

    return subprocess.Popen([sys.executable, "-m", "newsvault", "--archive", str(archive.root),
                             *args], env=cli_env(SEED_NOW), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, preexec_fn=in_own_group)


def terminate_when(process: subprocess.Popen, said, whole_group: bool) -> tuple[str, list]:
    """SIGTERM once a line it printed matches ``said``; returns all it printed and the child
    processes it had then."""
    seen, children = [], []
    try:
        for line in process.stdout:
            seen.append(line)
            if said(line):
                children = psutil.Process(process.pid).children(recursive=True)
                if whole_group:
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.send_signal(signal.SIGTERM)
                break
        rest, _ = process.communicate(timeout=120)  # the output ends with its resource tracker
    finally:  # a run that hangs is not left behind
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return "".join(seen) + rest, children


def assert_stopped_cleanly(process: subprocess.Popen, said: str, children: list) -> None:
    assert process.returncode == 143, said
    assert said.count("terminated: what was stored before is kept") == 1, said
    assert "Traceback" not in said and "KeyboardInterrupt" not in said, said
    assert "resource_tracker" not in said and "leaked" not in said, said
    _, alive = psutil.wait_procs(children, timeout=30)  # ended, or as good as
    assert not [child for child in alive if _running(child)], alive


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def integrity(archive: ArchiveDir) -> str:
    db = sqlite3.connect(archive.db_path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def source_done(count: int):
    """A line that says the ``count``-th source is done (it is committed by then)."""
    return lambda line: bool(re.match(rf"\[{count}/\d+\] ", line))


@pytest.mark.parametrize("ctrl_c_ignored", [False, True], ids=["foreground", "background"])
def test_sigterm_mid_fetch_stops_it_as_ctrl_c_does(slow_feeds_archive, ctrl_c_ignored):
    archive = slow_feeds_archive
    fetch = start(archive, "fetch", ctrl_c_ignored=ctrl_c_ignored)
    said, children = terminate_when(fetch, source_done(5), whole_group=False)
    assert_stopped_cleanly(fetch, said, children)
    assert children, "the fetch had started no writer process: the test proved less"
    assert integrity(archive) == "ok"
    kept = len(archive.articles())
    assert kept >= 5 * ITEMS  # what was said done stayed done
    archive.cli("fetch", "--strict", now=SEED_NOW, check=0)
    assert len(archive.articles()) == FEEDS * ITEMS


def test_sigterm_to_the_whole_group_mid_run_stops_it_as_ctrl_c_does(slow_feeds_archive):
    archive = slow_feeds_archive
    run = start(archive, "run")
    said, children = terminate_when(run, source_done(5), whole_group=True)  # as systemd does
    assert_stopped_cleanly(run, said, children)
    assert integrity(archive) == "ok"
    archive.cli("run", "--strict", now=SEED_NOW, check=0)
    assert len(archive.articles()) == FEEDS * ITEMS


def test_sigterm_while_workers_clean_stops_the_export(tmp_path):
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    # long enough to clean a while; from 1,000 articles, progress comes as plain lines
    write_numbered_posts(posts, 1600, "<p onclick='x()'>" + "正文，" * 8000 + "</p>")
    news = ArchiveDir.create(tmp_path / "news", build=NO_SITE)
    news.cli("import", "jekyll", str(posts), check=0)
    export = start(news, "export", "jekyll")
    said, children = terminate_when(export, lambda line: line.startswith("cleaning: "),
                                    whole_group=False)
    assert_stopped_cleanly(export, said, children)
    assert children, "no worker process was cleaning: the test proved less"
    assert integrity(news) == "ok"
    news.cli("export", "jekyll", check=0)
    assert len(list((news.root / "_posts").iterdir())) == 1600


def test_sigterm_while_run_every_waits_ends_the_schedule(slow_feeds_archive):
    archive = slow_feeds_archive
    every = start(archive, "run", "--every", "1h", "--no-images")
    said, children = terminate_when(every, lambda line: "next run" in line, whole_group=False)
    assert_stopped_cleanly(every, said, children)


def test_sigterm_while_workers_render_leaves_the_pages_not_started(tmp_path):
    """The build's pool finished every page it had been given before the command ended."""
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    total = 2000
    write_numbered_posts(posts, total, "<p>" + "正文，" * 400 + "</p>")
    news = ArchiveDir.create(tmp_path / "news", build=NO_SITE)
    news.cli("import", "jekyll", str(posts), check=0)
    news.cli("export", "jekyll", check=0)  # cleaned: the build starts rendering at once
    build = start(news, "build")
    said, children = terminate_when(build, lambda line: line.startswith("building: "),
                                    whole_group=False)
    assert_stopped_cleanly(build, said, children)
    assert children, "no worker process was rendering: the test proved less"
    rendered = len(list((news.root / "site").glob("*/*/index.html")))
    assert rendered < total * 3 // 4, said
    news.cli("build", check=0)
    assert len(list((news.root / "site").glob("*/*/index.html"))) >= total
