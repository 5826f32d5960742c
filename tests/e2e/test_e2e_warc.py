"""``fetch --warc`` / ``run`` with ``[fetch] warc = true``: the WARC files a user gets, read
back with warcio; and a run killed mid-way leaves files that read cleanly."""

import gzip
import os
import random
import signal
import subprocess
import sys
import threading

import psutil
import pytest
from support.cli import FAST_FETCH, NO_SITE, SEED_NOW, ArchiveDir, cli_env, result_rows
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.timeout(120)


def rss(name: str, items: int = 3, words: int = 20) -> bytes:
    entries = "".join(
        f"<item><title>{name} 第 {n} 条</title><link>https://warc.example.com/{name}/{n}</link>"
        f"<guid>{name}-{n}</guid><description>{'新闻' * words} {n}</description></item>"
        for n in range(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title>{entries}</channel></rss>").encode("utf-8")


def read_warc(folder_or_files) -> list[dict]:
    """Every record of every file in a folder (or of the files listed), in file order,
    read with warcio."""
    records = []
    files = folder_or_files if isinstance(folder_or_files, list) else folder_or_files.iterdir()
    for path in sorted(files):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                records.append({
                    "file": path.name, "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "status": record.http_headers.get_statuscode()
                    if record.rec_type == "response" else None,
                    "body": record.content_stream().read()})
    return records


def assert_no_record_cut_off(paths) -> None:
    """warcio passes over a gzip member cut off at the end of a file without a word;
    gzip itself does not."""
    for path in paths:
        try:
            gzip.decompress(path.read_bytes())
        except EOFError:
            pytest.fail(f"{path.name} ends in a record cut off")


def responses(records) -> list[dict]:
    return [record for record in records if record["type"] == "response"]


@pytest.fixture
def served(feed_server):
    """Three feeds: plain, gzip'd and conditional (ETag), and one that is gone."""
    feed_server.route("/plain.xml", body=rss("甲"), headers={"Content-Type": "application/rss+xml"})
    feed_server.gzip("/gz.xml", rss("乙"), headers={"Content-Type": "application/rss+xml"})
    feed_server.conditional("/cond.xml", rss("丙"), etag='"c1"')
    feed_server.route("/missing.xml", status=404, body=b"not here")
    return {name: feed_server.url(path) for name, path in
            (("甲", "/plain.xml"), ("乙", "/gz.xml"), ("丙", "/cond.xml"), ("丁", "/missing.xml"))}


def archive_with(root, served, **fetch) -> ArchiveDir:
    archive = ArchiveDir.create(root, fetch={**FAST_FETCH, **fetch}, build=NO_SITE)
    for name, url in served.items():
        archive.add_source(name, url)
    return archive


def test_fetch_warc_records_every_response_and_archives_as_usual(served, tmp_path):
    archive = archive_with(tmp_path / "news", served)
    first = archive.cli("fetch", "--warc", now=SEED_NOW, check=0)
    assert result_rows(first.stdout)["丁"].result == "error"
    assert len(archive.articles()) == 9
    archive.cli("fetch", "--warc", now=SEED_NOW, check=0)  # 丙 answers 304 now

    records = read_warc(archive.root / "warc")
    files = sorted({record["file"] for record in records})
    assert len(files) == 2  # one per run
    assert all(name.startswith("newsvault-20220127093652-") for name in files)
    assert [record["type"] for record in records if record["type"] == "warcinfo"] == ["warcinfo"] * 2
    got = sorted((record["uri"], record["status"]) for record in responses(records))
    assert got == sorted([(served["甲"], "200")] * 2 + [(served["乙"], "200")] * 2
                         + [(served["丙"], "200"), (served["丙"], "304")]
                         + [(served["丁"], "404")] * 2)
    bodies = {record["uri"]: record["body"] for record in responses(records)
              if record["status"] == "200"}
    assert bodies == {served["甲"]: rss("甲"), served["乙"]: rss("乙"), served["丙"]: rss("丙")}
    assert len([r for r in records if r["type"] == "request"]) == len(responses(records))


def test_the_setting_records_on_run_into_its_folder_and_rotates(served, tmp_path):
    archive = archive_with(tmp_path / "news", served, warc=True, warc_dir="capture",
                           warc_max_mb=0.001)  # 1000 bytes: a file per response
    archive.cli("run", now=SEED_NOW, check=0)
    folder = archive.root / "capture"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"newsvault-20220127093652-{n:05d}.warc.gz" for n in range(4)]
    records = read_warc(folder)
    assert len(responses(records)) == 4
    for name in names:
        kinds = [record["type"] for record in records if record["file"] == name]
        assert kinds == ["warcinfo", "response", "request"]


def test_without_warc_no_file_is_written(served, tmp_path):
    archive = archive_with(tmp_path / "news", served)
    archive.cli("run", now=SEED_NOW, check=0)
    assert len(archive.articles()) == 9
    assert not (archive.root / "warc").exists()


@pytest.mark.parametrize("key, value, message", [
    ("warc_max_mb", 0, "`fetch.warc_max_mb` must be more than 0"),
    ("warc", "yes", "`fetch.warc` must be bool"),
    ("allow_private_addresses", 1, "`fetch.allow_private_addresses` must be bool"),
])
def test_wrong_settings_exit_2_naming_the_key(tmp_path, key, value, message):
    archive = ArchiveDir.create(tmp_path / "news", fetch={key: value})
    result = archive.cli("fetch", check=2)
    assert message in result.stderr


def test_a_fetch_key_at_the_top_of_the_file_is_not_silently_ignored(tmp_path):
    archive = ArchiveDir.create(tmp_path / "news")
    archive.config.write_text("allow_private_addresses = true\n" + archive.config.read_text(),
                              encoding="utf-8")
    result = archive.cli("fetch", check=2)
    assert "`allow_private_addresses` belongs in the [fetch] table" in result.stderr


# -- killed ---------------------------------------------------------------------------

KILL_FEEDS = 30


def test_a_killed_run_leaves_warc_files_that_read_cleanly(feed_server, tmp_path):
    bodies = {}
    for n in range(KILL_FEEDS):
        # large, poorly compressible bodies of varied sizes: writing takes a while, and
        # where the kill lands within a file's bytes differs from run to run
        noise = os.urandom(random.randrange(50_000, 150_000)).hex().encode()
        body = rss(f"源{n}", items=40, words=200).replace(
            b"</channel>", b"<!-- " + noise + b" --></channel>")
        path = f"/big/{n}.xml"
        feed_server.route(path, body=body, delay=0.05)
        bodies[feed_server.url(path)] = body
    archive = ArchiveDir.create(tmp_path / "news", build=NO_SITE,
                                fetch={**FAST_FETCH, "read_timeout": 10, "total_timeout": 30,
                                       "per_host": 4, "max_body_mb": 20})
    for n, url in enumerate(bodies):
        archive.add_source(f"源 {n:02d}", url)

    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(archive.root), "fetch", "--warc"],
        cwd=archive.root, env=cli_env(SEED_NOW), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_for_warc_bytes(process, archive.root / "warc", 1)
        tree = psutil.Process(process.pid).children(recursive=True)  # its writers, by now
        wait_for_warc_bytes(process, archive.root / "warc", 2_000_000)
        os.kill(process.pid, signal.SIGKILL)
        for child in tree:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
    finally:
        process.kill()
        process.wait()

    folder = archive.root / "warc"
    closed = sorted(folder.glob("*.warc.gz"))
    assert_no_record_cut_off(closed)  # those it had finished and named
    left_open = sorted(folder.glob("*.warc.gz.*.open"))  # the one it was writing
    assert len(left_open) == 1 and len(closed) + 1 == len(list(folder.iterdir()))

    # the next recording run cuts off what the kill left half-written, and names the file
    archive.cli("fetch", "--warc", "--source", "源 00", now=SEED_NOW, check=0)
    assert not list(folder.glob("*.open"))
    assert_no_record_cut_off(list(folder.iterdir()))
    killed_runs = closed + [folder / left_open[0].name.rsplit(".", 2)[0]]
    got = responses(read_warc(killed_runs))
    assert 0 < len(got) < KILL_FEEDS, "the kill did not land mid-run: the test proved nothing"
    for record in got:
        assert record["body"] == bodies[record["uri"]]


def wait_for_warc_bytes(process: subprocess.Popen, folder, size: int) -> None:
    ticker = threading.Event()
    while sum(path.stat().st_size for path in folder.glob("*.warc.gz*")) < size:
        assert process.poll() is None, "the run ended before the moment came"
        ticker.wait(0.002)
