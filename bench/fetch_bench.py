"""Fetch benchmark: newsvault against a loopback feed server, and against the floor.

    python -m bench.fetch_bench                 # 500 feeds × 20 items, ~190 MB, 200 ms latency
    python -m bench.fetch_bench --quick         # 50 feeds: a smoke test
    python -m bench.fetch_bench --runs 2 --profile /tmp/fetch.prof
    python -m bench.fetch_bench --warc --no-warm  # also a cold `fetch --warc`: its overhead

The product target: a cold ``newsvault fetch`` of 500 feeds × 20 full-text items (RSS, Atom,
JSON Feed; ~190 MB) from a server that adds 200 ms to every response takes at most twice the
floor (64 parallel plain downloads of the same feeds, measured here in the same run), with a
peak RSS under 300 MB. The script reports the numbers; it asserts only correctness (the
archive holds exactly feeds × items articles and no title came out garbled), never a time.

Pieces, all in this process tree and on 127.0.0.1 only:
- the feed server: raw ``asyncio.start_server`` HTTP/1.1 (keep-alive, Content-Length,
  Content-Type per format, ETag/Last-Modified, 304 on a matching If-None-Match or
  If-Modified-Since) in its own process (multiprocessing, spawn). It builds the feed world
  itself (bench/feedworld.py, from the shared corpus) and serves the prebuilt bytes.
- the floor: a minimal asyncio raw-socket HTTP/1.1 client, 64 workers with one keep-alive
  connection each, pulling feed paths from a queue and reading Content-Length bytes.
- newsvault: ``python -m newsvault --archive DIR fetch`` in a subprocess on a fresh archive
  (cold), then again on the same archive (warm: every source answers 304).
- after each cold run, timed apart: Python starting and importing what ``fetch`` imports
  before its first request. The cold run pays it; the floor, timed with everything
  loaded, does not.
- the CPU time of each process of a cold run, as last sampled (the fetching process, its
  writers): where the tree's CPU time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also runnable as `python bench/fetch_bench.py`
    sys.path.insert(0, str(REPO))

from newsvault.feeds.text import html_title, plain_title  # noqa: E402
from bench.feedworld import (  # noqa: E402
    DEFAULT_FEEDS, DEFAULT_ITEMS, LAST_MODIFIED, FeedInfo, default_target_bytes, expected_items,
)

HOST = "127.0.0.1"  # loopback only
MB = 1_000_000
QUICK_FEEDS = 50
FLOOR_WORKERS = 64
SERVER_START_TIMEOUT = 300.0


# =============================================================================================
# the feed server (runs in its own process)


class _ServerStats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.requests = 0
        self.status = Counter()
        self.body_bytes = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.conditional = 0

    def snapshot(self) -> dict:
        return {"requests": self.requests, "status": dict(self.status),
                "body_bytes": self.body_bytes, "max_in_flight": self.max_in_flight,
                "connections": self.connections, "conditional": self.conditional}


def _server_process(conn, feeds: int, items: int, target_bytes: int | None, latency: float):
    """Entry point of the server process: build the world, serve it, obey the control pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when this process ends
    try:
        from bench.corpus import load_posts
        from bench.feedworld import build_world

        started = time.perf_counter()
        world = build_world(load_posts(), feeds=feeds, items=items, target_bytes=target_bytes,
                            log=lambda message: None)
        build_s = time.perf_counter() - started
        asyncio.run(_serve(conn, world, latency, build_s))
    except BaseException as error:  # tell the parent instead of dying silently
        try:
            conn.send(("error", f"{type(error).__name__}: {error}"))
        except Exception:
            pass
        raise


async def _serve(conn, world, latency: float, build_s: float):
    routes = {}
    for feed in world.feeds:
        info = feed.info
        common = (f"Content-Type: {info.content_type}\r\nETag: {info.etag}\r\n"
                  f"Last-Modified: {LAST_MODIFIED}\r\nCache-Control: max-age=0\r\n")
        ok_head = (f"HTTP/1.1 200 OK\r\n{common}Content-Length: {len(feed.body)}\r\n").encode()
        not_modified_head = f"HTTP/1.1 304 Not Modified\r\n{common}".encode()
        routes[info.path] = (feed.body, info.etag, ok_head, not_modified_head)
    infos, total, fraction = world.infos(), world.total_bytes, world.fraction
    del world
    stats = _ServerStats()
    stop = asyncio.Event()
    last_modified = parsedate_to_datetime(LAST_MODIFIED)

    def not_modified(headers: dict, etag: str) -> bool:
        tags = headers.get("if-none-match")
        if tags is not None:
            stats.conditional += 1
            wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            return "*" in wanted or etag in wanted
        since = headers.get("if-modified-since")
        if since:
            stats.conditional += 1
            try:
                return parsedate_to_datetime(since) >= last_modified
            except (TypeError, ValueError):
                return False
        return False

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        stats.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                 b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                    await writer.drain()
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                    await writer.drain()
                    return
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        key = name.strip().lower()
                        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers \
                            else value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                connection = headers.get("connection", "").lower()
                keep_alive = "close" not in connection and (
                    version.strip() != "HTTP/1.0" or "keep-alive" in connection)
                stats.requests += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                try:
                    await asyncio.sleep(latency)
                    if target.startswith(("http://", "https://")):
                        target = "/" + target.split("://", 1)[1].partition("/")[2]
                    route = routes.get(target.split("?", 1)[0])
                    tail = b"\r\n" if keep_alive else b"Connection: close\r\n\r\n"
                    if method not in ("GET", "HEAD"):
                        status, head_out, body = 405, b"HTTP/1.1 405 Method Not Allowed\r\n" \
                            b"Allow: GET, HEAD\r\nContent-Length: 0\r\n", b""
                    elif route is None:
                        status, head_out, body = 404, b"HTTP/1.1 404 Not Found\r\n" \
                            b"Content-Type: text/plain\r\nContent-Length: 10\r\n", b"not found\n"
                    elif not_modified(headers, route[1]):
                        status, head_out, body = 304, route[3], b""
                    else:
                        status, head_out, body = 200, route[2], route[0]
                    writer.write(head_out + tail)
                    if body and method != "HEAD":
                        writer.write(body)
                        stats.body_bytes += len(body)
                    await writer.drain()
                    stats.status[status] += 1
                finally:
                    stats.in_flight -= 1
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, 0, backlog=1024, limit=256 * 1024)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()

    def on_control():
        try:
            command = conn.recv()
        except (EOFError, OSError):
            stop.set()
            return
        if command == "stats":
            conn.send(stats.snapshot())
        elif command == "reset":
            stats.reset()
            conn.send("ok")
        else:
            stop.set()

    loop.add_reader(conn.fileno(), on_control)
    conn.send(("ready", port, infos, total, fraction, build_s))
    async with server:
        await stop.wait()
    loop.remove_reader(conn.fileno())


class FeedServer:
    """The server process, from the parent's side."""

    def __init__(self, feeds: int, items: int, target_bytes: int | None, latency: float):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=_server_process, args=(child, feeds, items, target_bytes, latency),
            name="bench-feed-server", daemon=True,
        )
        self.process.start()
        child.close()
        if not self._conn.poll(SERVER_START_TIMEOUT):
            self.close()
            raise SystemExit("bench: the feed server did not start in time")
        try:
            message = self._conn.recv()
        except EOFError:
            self.close()
            raise SystemExit("bench: the feed server died while starting") from None
        if message[0] != "ready":
            self.close()
            raise SystemExit(f"bench: the feed server failed: {message[1]}")
        _, self.port, self.infos, self.total_bytes, self.fraction, self.build_s = message
        self.infos: list[FeedInfo]
        self.base_url = f"http://{HOST}:{self.port}"

    def stats(self) -> dict:
        self._conn.send("stats")
        return self._conn.recv()

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def close(self) -> None:
        if self.process.is_alive():
            try:
                self._conn.send("stop")
            except OSError:
                pass
            self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# =============================================================================================
# the floor: plain parallel downloads


@dataclass
class FloorResult:
    wall_s: float
    feeds: int
    body_bytes: int
    errors: list[str] = field(default_factory=list)


async def _download_all(port: int, infos: list[FeedInfo], workers: int) -> FloorResult:
    queue: asyncio.Queue = asyncio.Queue()
    for info in infos:
        queue.put_nowait(info)
    received, errors = [0, 0], []

    async def worker():
        reader = writer = None
        try:
            while True:
                try:
                    info = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
                writer.write(f"GET {info.path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                             f"User-Agent: newsvault-bench-floor\r\nAccept: */*\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                body = await reader.readexactly(int(match.group(1)) if match else 0)
                if status != 200 or len(body) != info.size:
                    errors.append(f"{info.path}: HTTP {status}, {len(body)} of {info.size} bytes")
                received[0] += 1
                received[1] += len(body)
        except Exception as error:  # counted, never hidden
            errors.append(f"worker: {error!r}")
        finally:
            if writer is not None:
                writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    wall = time.perf_counter() - started
    return FloorResult(wall_s=wall, feeds=received[0], body_bytes=received[1], errors=errors)


def measure_floor(server: FeedServer, workers: int = FLOOR_WORKERS) -> FloorResult:
    return asyncio.run(_download_all(server.port, server.infos, workers))


# =============================================================================================
# newsvault


@dataclass
class NewsvaultRun:
    label: str
    wall_s: float
    exit_code: int
    peak_main_mb: float  # sampled RSS of the newsvault process
    peak_tree_mb: float  # sampled, sum of RSS over the process and its children
    peak_tree_pss_mb: float  # sampled less often, sum of PSS (shared pages counted once)
    peak_children: int  # most child processes seen at once
    main_cpu_s: float  # sampled: the newsvault process's CPU when last seen
    children_cpu_s: list[float]  # sampled: each of its child processes', largest first
    maxrss_mb: float  # wait4 ru_maxrss: the largest single process in the tree, exact
    cpu_s: float  # user + system, the whole tree
    stdout: str
    stderr: str
    server: dict = field(default_factory=dict)


def write_config(archive: Path, base_url: str, infos: list[FeedInfo], concurrency: int,
                 per_host: int) -> None:
    archive.mkdir(parents=True, exist_ok=True)
    text = None
    try:
        from newsvault.config import SourceSettings, new_config_text

        # full_text "never": this bench measures the feeds; the items link to the corpus
        # posts' real sites, which must not be asked for their pages (bench/extract_bench.py
        # measures full text)
        text = new_config_text("newsvault bench", "UTC", [
            SourceSettings(info.name, base_url + info.path, [info.format], full_text="never")
            for info in infos])
        for pattern, value in ((r"(?m)^concurrency = \d+", f"concurrency = {concurrency}"),
                               (r"(?m)^per_host = \d+", f"per_host = {per_host}"),
                               (r"(?m)^enabled = true", "enabled = false"),
                               # the corpus's images are on the internet: not this bench's
                               (r"(?m)^download = true", "download = false")):
            text, count = re.subn(pattern, value, text, count=1)
            if count != 1:
                text = None
                break
    except Exception:  # the template moved: write the same settings by hand
        text = None
    if text is None:
        lines = ['[site]', 'title = "newsvault bench"', 'timezone = "UTC"', '', '[fetch]',
                 f'concurrency = {concurrency}', f'per_host = {per_host}', '',
                 '[export.jekyll]', 'enabled = false', '', '[media]', 'download = false', '']
        for info in infos:
            lines += ['[[sources]]', f'name = {json.dumps(info.name)}',
                      f'url = {json.dumps(base_url + info.path)}',
                      f'tags = [{json.dumps(info.format)}]', 'full_text = "never"', '']
        text = "\n".join(lines)
    (archive / "newsvault.toml").write_text(text, encoding="utf-8")


class _TreeSampler(threading.Thread):
    """Samples the memory of the descendants of ``pid`` (the launcher) until stopped: RSS
    every ``interval``, and PSS (shared pages split between the processes sharing them,
    e.g. a forked worker) every tenth sample, as it costs a page walk."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_main = self.peak_tree = self.peak_tree_pss = 0
        self.peak_children = 0
        self.cpu_by_pid: dict[int, tuple[bool, float]] = {}  # pid: (is main, last CPU seen)
        self._stop_event = threading.Event()

    def run(self):
        import psutil

        try:
            launcher = psutil.Process(self.pid)
        except psutil.Error:
            return
        tick = 0
        while not self._stop_event.is_set():
            try:
                processes = launcher.children(recursive=True)
            except psutil.Error:
                return
            main = tree = pss = 0
            for process in processes:
                try:  # a process may end at any point in here
                    rss = process.memory_info().rss
                    if tick % 10 == 0:
                        pss += _pss(process.pid)
                    is_main = process.ppid() == self.pid
                    times = process.cpu_times()
                except (psutil.Error, OSError):
                    continue
                self.cpu_by_pid[process.pid] = (is_main, times.user + times.system)
                tree += rss
                if is_main:
                    main = rss
            self.peak_main = max(self.peak_main, main)
            self.peak_tree = max(self.peak_tree, tree)
            self.peak_tree_pss = max(self.peak_tree_pss, pss)
            self.peak_children = max(self.peak_children, len(processes) - 1)
            tick += 1
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join(2)


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
        for line in handle:
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    return 0


# Runs newsvault and reports its wait4() rusage. A launcher of its own, because a process's
# ru_maxrss starts from its parent's RSS at fork time (the kernel keeps the pre-exec high-water
# mark): forked straight from this script, newsvault would inherit this script's RSS as a floor.
_LAUNCHER = """
import json, os, subprocess, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
child = subprocess.Popen(command)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - started
with open(report, "w") as handle:
    json.dump({"wall_s": wall, "exit_code": os.waitstatus_to_exitcode(status),
               "maxrss_kb": usage.ru_maxrss, "cpu_s": usage.ru_utime + usage.ru_stime}, handle)
"""


def run_newsvault(archive: Path, label: str, timeout: float,
                  profile: Path | None = None, extra_args: tuple[str, ...] = ()) -> NewsvaultRun:
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "newsvault", "--archive", str(archive), "fetch", *extra_args]
    env = dict(os.environ, COLUMNS="200")
    out_path, err_path = archive / f"{label}.stdout", archive / f"{label}.stderr"
    usage_path = archive / f"{label}.usage.json"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(usage_path), *command],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=archive,
            start_new_session=True)  # its own process group: a timeout ends the whole tree
        sampler = _TreeSampler(launcher.pid)
        sampler.start()
        try:
            launcher.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        sampler.stop()
    try:
        usage = json.loads(usage_path.read_text())
    except (OSError, ValueError):
        usage = {"wall_s": float("nan"), "exit_code": launcher.returncode or -9,
                 "maxrss_kb": 0, "cpu_s": float("nan")}
    return NewsvaultRun(
        label=label, wall_s=usage["wall_s"], exit_code=usage["exit_code"],
        peak_main_mb=sampler.peak_main / MB, peak_tree_mb=sampler.peak_tree / MB,
        peak_tree_pss_mb=sampler.peak_tree_pss / MB, peak_children=sampler.peak_children,
        main_cpu_s=sum(cpu for is_main, cpu in sampler.cpu_by_pid.values() if is_main),
        children_cpu_s=sorted((cpu for is_main, cpu in sampler.cpu_by_pid.values()
                               if not is_main), reverse=True),
        maxrss_mb=usage["maxrss_kb"] * 1024 / MB, cpu_s=usage["cpu_s"],
        stdout=out_path.read_text(errors="replace"), stderr=err_path.read_text(errors="replace"),
    )


@dataclass
class ArchiveCheck:
    articles: int
    expected: int
    per_format: dict
    titles_checked: int
    titles_wrong: int
    legacy_titles_checked: int
    legacy_titles_wrong: int
    legacy_content_checked: int
    legacy_content_same: int
    fetch_statuses: dict
    wrong_examples: list = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (self.error is None and self.articles == self.expected
                and self.titles_wrong == 0 and self.legacy_titles_wrong == 0)


def check_archive(archive: Path, infos: list[FeedInfo], after_fetch_run: int = 0) -> ArchiveCheck:
    import hashlib

    expected = sum(len(info.items) for info in infos)
    database = archive / "newsvault.db"
    if not database.exists():
        return ArchiveCheck(0, expected, {}, 0, 0, 0, 0, 0, 0, {}, error=f"no {database}")
    by_name = {info.name: info for info in infos}
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        statuses = dict(db.execute(
            "SELECT status, COUNT(*) FROM fetch_runs WHERE id > ? GROUP BY status",
            (after_fetch_run,)).fetchall())
        per_format: Counter = Counter()
        titles_checked = titles_wrong = legacy_checked = legacy_wrong = 0
        content_checked = content_same = 0
        examples = []
        rows = db.execute("SELECT s.name, a.guid, a.title FROM articles a "
                          "JOIN sources s ON s.id = a.source_id")
        # a title on one line, a run of ASCII white space as one space; RSS and JSON Feed
        # titles are HTML (the corpus keeps some escaped: "1900 &amp; 2020" reads "1900 & 2020")
        expected_titles = {
            (info.name, item.guid): (plain_title if info.format == "atom" else html_title)(item.title)
            for info in infos for item in info.items}
        for name, guid, title in rows:
            info = by_name.get(name)
            if info is None:
                continue
            per_format[f"{info.format}/{info.encoding}"] += 1
            want = expected_titles.get((name, guid))
            if want is None:
                continue
            legacy = info.encoding != "utf-8"
            titles_checked += 1
            legacy_checked += legacy
            if title != want:
                titles_wrong += 1
                legacy_wrong += legacy
                if len(examples) < 5:
                    examples.append(f"{name} {guid}: {title!r} != {want!r}")
        legacy_infos = [info for info in infos if info.encoding != "utf-8"]
        for info in legacy_infos:
            want = {item.guid: item.content_hash for item in info.items}
            for guid, content in db.execute(
                    "SELECT a.guid, a.content_html FROM articles a JOIN sources s "
                    "ON s.id = a.source_id WHERE s.name = ?", (info.name,)):
                if guid in want:
                    content_checked += 1
                    digest = hashlib.blake2b(content.encode("utf-8", "surrogatepass"),
                                             digest_size=16).hexdigest()
                    content_same += digest == want[guid]
    except sqlite3.Error as error:
        return ArchiveCheck(0, expected, {}, 0, 0, 0, 0, 0, 0, {}, error=f"sqlite: {error}")
    finally:
        db.close()
    return ArchiveCheck(articles, expected, dict(per_format), titles_checked, titles_wrong,
                        legacy_checked, legacy_wrong, content_checked, content_same, statuses,
                        examples)


def last_fetch_run_id(archive: Path) -> int:
    database = archive / "newsvault.db"
    if not database.exists():
        return 0
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM fetch_runs").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        db.close()


def newsvault_importable() -> str | None:
    """None when `python -m newsvault` can start; else why not."""
    probe = subprocess.run([sys.executable, "-c", "import newsvault.cli"], capture_output=True,
                           text=True, timeout=120)
    if probe.returncode == 0:
        return None
    lines = probe.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit code {probe.returncode}"


# =============================================================================================
# the benchmark


@dataclass
class Round:
    floor: FloorResult
    cold: NewsvaultRun | None = None
    warm: NewsvaultRun | None = None
    cold_check: ArchiveCheck | None = None
    warm_check: ArchiveCheck | None = None
    floor_server: dict = field(default_factory=dict)
    cold_warc: NewsvaultRun | None = None  # with --warc: a cold `fetch --warc`
    warc_check: ArchiveCheck | None = None
    warc_bytes: int = 0
    warc_files: int = 0
    imports_s: float | None = None  # Python's start and the fetch command's imports


def _show_failure(run: NewsvaultRun) -> None:
    print(f"  newsvault {run.label} exited {run.exit_code}; last lines of its output:")
    for line in (run.stdout.strip().splitlines()[-8:] + run.stderr.strip().splitlines()[-15:]):
        print(f"    {line}")


def cpu_probe() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine's CPU is right now. On a
    shared VM it varies from minute to minute; the floor (latency-bound) does not, while
    newsvault's run (CPU-bound) does, so the probe tells which runs compare."""
    started = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - started


# what `newsvault fetch` imports before its first request
_FETCH_IMPORTS = "import newsvault.cli, newsvault.pipeline.running"


def imports_wall(runs: int = 3) -> float:
    """The best wall time over ``runs`` of Python starting and importing what the fetch
    command does before its first request: part of the cold run that no download waits
    on, which the floor (timed with everything loaded) does not pay."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _FETCH_IMPORTS], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def one_round(server: FeedServer, args, number: int, workdir: Path) -> Round:
    print(f"[run {number}] CPU probe: {cpu_probe():.2f} s (5M-step Python loop; lower is faster)")
    server.reset()
    floor = measure_floor(server, FLOOR_WORKERS)
    result = Round(floor=floor, floor_server=server.stats())
    print(f"[run {number}] floor: {floor.wall_s:.2f} s for {floor.feeds} feeds, "
          f"{floor.body_bytes / MB:.1f} MB, {len(floor.errors)} errors")
    for error in floor.errors[:5]:
        print(f"    {error}")
    if args.skip_newsvault:
        return result
    archive = workdir / f"archive-{number}"
    write_config(archive, server.base_url, server.infos, args.concurrency, args.per_host)
    profile = Path(args.profile) if args.profile and number == 1 else None
    server.reset()
    cold = run_newsvault(archive, "cold", args.timeout, profile)
    cold.server = server.stats()
    result.cold = cold
    print(f"[run {number}] newsvault cold: {cold.wall_s:.2f} s, exit {cold.exit_code}, "
          f"peak RSS {cold.maxrss_mb:.0f} MB (largest process), "
          f"{cold.peak_tree_mb:.0f} MB (tree, sampled), CPU {cold.cpu_s:.1f} s")
    if cold.exit_code != 0:
        _show_failure(cold)
    result.cold_check = check_archive(archive, server.infos)
    result.imports_s = imports_wall()
    if args.warc and cold.exit_code == 0:
        cold_warc_round(server, args, number, workdir, result)
    if args.no_warm or cold.exit_code != 0:
        return result
    before = last_fetch_run_id(archive)
    server.reset()
    warm = run_newsvault(archive, "warm", args.timeout)
    warm.server = server.stats()
    result.warm = warm
    print(f"[run {number}] newsvault warm: {warm.wall_s:.2f} s, exit {warm.exit_code}, "
          f"server answered {warm.server['status']}")
    if warm.exit_code != 0:
        _show_failure(warm)
    result.warm_check = check_archive(archive, server.infos, after_fetch_run=before)
    return result


def cold_warc_round(server: FeedServer, args, number: int, workdir: Path, result: Round) -> None:
    """A second cold fetch on a fresh archive, recording WARC files: what recording costs."""
    archive = workdir / f"archive-{number}-warc"
    write_config(archive, server.base_url, server.infos, args.concurrency, args.per_host)
    server.reset()
    run = run_newsvault(archive, "cold-warc", args.timeout, extra_args=("--warc",))
    run.server = server.stats()
    result.cold_warc = run
    files = list((archive / "warc").glob("*.warc.gz"))
    result.warc_files, result.warc_bytes = len(files), sum(f.stat().st_size for f in files)
    print(f"[run {number}] newsvault cold --warc: {run.wall_s:.2f} s, exit {run.exit_code}, "
          f"CPU {run.cpu_s:.1f} s, {result.warc_bytes / MB:.1f} MB in {result.warc_files} files")
    if run.exit_code != 0:
        _show_failure(run)
    result.warc_check = check_archive(archive, server.infos)


def report(args, server: FeedServer, rounds: list[Round], startup_problem: str | None) -> int:
    infos = server.infos
    items = sum(len(info.items) for info in infos)
    formats = Counter(f"{info.format}/{info.encoding}" for info in infos)
    print()
    print("=" * 78)
    print("newsvault fetch benchmark")
    print("=" * 78)
    print(f"feeds                 {len(infos)}  ({', '.join(f'{k} {v}' for k, v in sorted(formats.items()))})")
    print(f"items                 {items}  (expected {expected_items(args.feeds, args.items)})")
    print(f"feed bytes            {server.total_bytes / MB:.1f} MB  (bodies cut to "
          f"{server.fraction:.0%}; world built in {server.build_s:.1f} s)")
    print(f"latency per response  {args.latency * 1000:.0f} ms;  newsvault concurrency "
          f"{args.concurrency}, per_host {args.per_host};  {os.cpu_count()} CPUs")
    failed = False
    for number, result in enumerate(rounds, start=1):
        print(f"--- run {number} " + "-" * 66)
        floor = result.floor
        print(f"floor ({FLOOR_WORKERS} parallel plain downloads)   {floor.wall_s:8.2f} s   "
              f"{floor.body_bytes / MB / floor.wall_s:7.1f} MB/s   max in flight "
              f"{result.floor_server.get('max_in_flight')}")
        if floor.errors or floor.feeds != len(infos):
            print(f"  FLOOR ERRORS: {len(floor.errors)}; {floor.feeds} of {len(infos)} feeds")
            failed = True
        cold, warm = result.cold, result.warm
        if cold is None:
            continue
        if cold.exit_code != 0:
            print(f"newsvault cold fetch FAILED (exit {cold.exit_code}) after {cold.wall_s:.2f} s")
            failed = True
            continue
        print(f"newsvault cold fetch                 {cold.wall_s:8.2f} s   "
              f"{items / cold.wall_s:7.0f} items/s   {server.total_bytes / MB / cold.wall_s:6.1f} MB/s")
        ratio = cold.wall_s / floor.wall_s
        print(f"  ratio to floor                     {ratio:8.2f} x    (target <= 2.00 x: "
              f"{'met' if ratio <= 2 else 'NOT met'})")
        if result.imports_s is not None:
            print(f"  Python start + the command's imports {result.imports_s:6.2f} s    (timed "
                  f"apart, best of 3: in the cold run, not in the floor)")
        print(f"  peak RSS, largest process (exact)  {cold.maxrss_mb:8.0f} MB   (target < 300 MB: "
              f"{'met' if cold.maxrss_mb < 300 else 'NOT met'})")
        print(f"  peak RSS, newsvault main (sampled) {cold.peak_main_mb:8.0f} MB")
        print(f"  peak RSS, process tree sum (sampled){cold.peak_tree_mb:7.0f} MB   "
              f"({cold.peak_children} child processes at most)")
        print(f"  peak PSS, process tree sum (sampled){cold.peak_tree_pss_mb:7.0f} MB   "
              f"(shared pages counted once; sampled every 0.5 s)")
        print(f"  CPU time, whole tree               {cold.cpu_s:8.1f} s    "
              f"({cold.cpu_s / cold.wall_s:.2f} cores busy on average)")
        children = ", ".join(f"{cpu:.1f}" for cpu in cold.children_cpu_s if cpu >= 0.05)
        print(f"  CPU by process (sampled)           {cold.main_cpu_s:8.1f} s    (the fetching "
              f"process; its child processes: {children or 'none'} s; each seen last up to "
              f"50 ms before it ended)")
        print(f"  server saw                         {cold.server.get('requests')} requests, "
              f"{cold.server.get('status')}, max in flight {cold.server.get('max_in_flight')}, "
              f"{cold.server.get('connections')} connections")
        check = result.cold_check
        if check:
            print(f"  articles in archive                {check.articles:8d}     (expected "
                  f"{check.expected}: {'ok' if check.articles == check.expected else 'WRONG'})")
            print(f"  fetch results                      {check.fetch_statuses}")
            print(f"  titles as in the source (spaces)   {check.titles_checked - check.titles_wrong}"
                  f" of {check.titles_checked} (all feeds)")
            print(f"  garbled titles, GBK/Big5 feeds     {check.legacy_titles_wrong} of "
                  f"{check.legacy_titles_checked}")
            print(f"  GBK/Big5 content identical         {check.legacy_content_same} of "
                  f"{check.legacy_content_checked} (informational)")
            for example in check.wrong_examples:
                print(f"    wrong title: {example}")
            if check.error:
                print(f"  ARCHIVE CHECK FAILED: {check.error}")
            failed |= not check.ok
        if result.cold_warc is not None:
            run = result.cold_warc
            print(f"newsvault cold fetch --warc          {run.wall_s:8.2f} s   "
                  f"({run.wall_s / cold.wall_s:.2f} x the cold fetch); CPU {run.cpu_s:.1f} s "
                  f"({run.cpu_s - cold.cpu_s:+.1f} s); peak RSS {run.maxrss_mb:.0f} MB; exit "
                  f"{run.exit_code}")
            print(f"  WARC written                       {result.warc_bytes / MB:8.1f} MB in "
                  f"{result.warc_files} files; articles {result.warc_check.articles if result.warc_check else '?'}")
            failed |= run.exit_code != 0 or not (result.warc_check and result.warc_check.ok)
        if warm is not None:
            print(f"newsvault warm rerun (conditional)   {warm.wall_s:8.2f} s   exit {warm.exit_code}; "
                  f"server: {warm.server.get('status')}, {warm.server.get('conditional')} "
                  f"conditional requests, {warm.server.get('connections')} connections")
            wcheck = result.warm_check
            if wcheck:
                print(f"  fetch results                      {wcheck.fetch_statuses}; articles "
                      f"{wcheck.articles}")
                failed |= wcheck.articles != wcheck.expected or warm.exit_code != 0
    newsvault_rounds = [r for r in rounds if r.cold is not None and r.cold.exit_code == 0]
    if len(rounds) > 1:
        print("--- summary " + "-" * 66)
        floors = [r.floor.wall_s for r in rounds]
        print(f"floor      median {statistics.median(floors):.2f} s  (runs: "
              f"{', '.join(f'{x:.2f}' for x in floors)})")
        if newsvault_rounds:
            colds = [r.cold.wall_s for r in newsvault_rounds]
            ratios = [r.cold.wall_s / r.floor.wall_s for r in newsvault_rounds]
            print(f"cold       median {statistics.median(colds):.2f} s  (runs: "
                  f"{', '.join(f'{x:.2f}' for x in colds)}); ratio median "
                  f"{statistics.median(ratios):.2f} x; peak RSS max "
                  f"{max(r.cold.maxrss_mb for r in newsvault_rounds):.0f} MB")
            warms = [r.warm.wall_s for r in newsvault_rounds if r.warm]
            if warms:
                print(f"warm       median {statistics.median(warms):.2f} s")
    print("=" * 78)
    if startup_problem:
        print(f"newsvault not measured: {startup_problem}")
        return 2
    if failed:
        print("RESULT: FAILED (see above: the archive or the floor is wrong)")
        return 1
    if args.skip_newsvault:
        print("RESULT: server and floor ok (newsvault skipped)")
    else:
        print(f"RESULT: archive correct ({len(newsvault_rounds)} of {len(rounds)} runs)")
    return 0


def _require_psutil() -> None:
    """The memory sampler needs psutil (a test dependency): without it every sampled
    figure would read 0 MB."""
    try:
        import psutil  # noqa: F401
    except ImportError:
        raise SystemExit("bench: psutil is missing (it samples the process tree's memory); "
                         "install the test dependencies: pip install -e '.[test]'") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=DEFAULT_FEEDS)
    parser.add_argument("--items", type=int, default=DEFAULT_ITEMS)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added per response")
    parser.add_argument("--runs", type=int, default=1, help="floor + cold + warm, N times")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FEEDS} feeds (smoke test)")
    parser.add_argument("--target-mb", type=float, default=None,
                        help="total feed size (default: 190 MB scaled to feeds × items; 0: whole bodies)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=64)
    parser.add_argument("--skip-newsvault", action="store_true", help="server and floor only")
    parser.add_argument("--no-warm", action="store_true", help="skip the conditional rerun")
    parser.add_argument("--warc", action="store_true",
                        help="also a cold `fetch --warc` on a fresh archive (WARC overhead)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the first cold run into FILE")
    parser.add_argument("--keep", action="store_true", help="keep the archive folders")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a newsvault run is killed")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds = QUICK_FEEDS
    target = (default_target_bytes(args.feeds, args.items) if args.target_mb is None
              else int(args.target_mb * MB))

    from bench.bytecode import compile_newsvault
    from bench.corpus import require_corpus

    require_corpus()  # a clear message before any process starts
    if not args.skip_newsvault:
        _require_psutil()
    compile_newsvault()
    startup_problem = None if args.skip_newsvault else newsvault_importable()
    if startup_problem:
        print(f"bench: newsvault cannot start yet ({startup_problem}); measuring server and "
              "floor only")
        args.skip_newsvault = True
    print(f"bench: building {args.feeds} feeds × {args.items} items in the server process...")
    started = time.perf_counter()
    with FeedServer(args.feeds, args.items, target, args.latency) as server:
        print(f"bench: server on {server.base_url} after {time.perf_counter() - started:.1f} s: "
              f"{len(server.infos)} feeds, {server.total_bytes / MB:.1f} MB")
        workdir = Path(tempfile.mkdtemp(prefix="newsvault-fetch-bench-"))
        try:
            rounds = [one_round(server, args, number, workdir)
                      for number in range(1, args.runs + 1)]
        finally:
            if args.keep:
                print(f"bench: archives kept in {workdir}")
            else:
                import shutil

                shutil.rmtree(workdir, ignore_errors=True)
        return report(args, server, rounds, startup_problem)


if __name__ == "__main__":
    sys.exit(main())
