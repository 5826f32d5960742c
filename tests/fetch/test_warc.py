"""WARC recording in the fetch client: every response that came back becomes a response
record (with its request record), read back here with warcio as a replay tool would."""

import asyncio
import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsvault.config import FetchSettings
from newsvault.errors import BodyTooLargeError, FetchError, NotFoundError
from newsvault.fetch import HttpFetcher
from newsvault.fetch.warc import WarcRecorder, finish_killed_files

pytestmark = pytest.mark.timeout(60)

RSS = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>源</title>'
       '<item><title>标题</title><link>https://example.org/a</link><guid>a</guid>'
       '<description>正文</description></item></channel></rss>').encode("utf-8")
FILE_NAME = re.compile(r"^newsvault-\d{14}-\d{5}\.warc\.gz$")


def settings(tmp_path: Path, **changes) -> FetchSettings:
    values = dict(connect_timeout=1.0, read_timeout=2.0, total_timeout=10.0, retries=0,
                  backoff=0.01, warc=True, warc_dir=str(tmp_path / "warc"))
    values.update(changes)
    return FetchSettings(**values)


def fetch_all(fetch_settings: FetchSettings, urls, **get_kwargs) -> list:
    """GET every url through one recording fetcher; results (or errors) in order."""

    async def go():
        async with HttpFetcher(fetch_settings) as fetcher:
            async def one(url):
                try:
                    return await fetcher.get(url, **get_kwargs)
                except FetchError as error:
                    return error
            return await asyncio.gather(*(one(url) for url in urls))

    return asyncio.run(go())


class Warc:
    """What a folder of WARC files holds, read with warcio."""

    def __init__(self, folder: Path):
        self.files = sorted(folder.iterdir()) if folder.exists() else []
        self.records: list[dict] = []
        self.first_types: list[str] = []
        for path in self.files:
            with path.open("rb") as stream:
                for index, record in enumerate(ArchiveIterator(stream)):
                    if index == 0:
                        self.first_types.append(record.rec_type)
                    self.records.append(_as_dict(record, path.name))

    def of_type(self, kind: str) -> list[dict]:
        return [record for record in self.records if record["type"] == kind]

    @property
    def responses(self) -> list[dict]:
        return self.of_type("response")

    def response(self, url: str) -> dict:
        found = [record for record in self.responses if record["uri"] == url]
        assert len(found) == 1, (url, [r["uri"] for r in self.responses])
        return found[0]


def _as_dict(record, file_name: str) -> dict:
    head = record.http_headers
    data = {"file": file_name, "type": record.rec_type,
            "uri": record.rec_headers.get_header("WARC-Target-URI"),
            "id": record.rec_headers.get_header("WARC-Record-ID"),
            "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
            "truncated": record.rec_headers.get_header("WARC-Truncated"),
            "statusline": head.statusline if head else None,
            "protocol": head.protocol if head else None,
            "headers": dict((name.lower(), value) for name, value in head.headers) if head else {}}
    data["raw"] = record.raw_stream.read()  # the payload as stored (still content-encoded)
    return data


def decoded(record: dict) -> bytes:
    if record["headers"].get("content-encoding") == "gzip":
        return gzip.decompress(record["raw"])
    return record["raw"]


def test_one_response_record_per_response_with_its_request(feed_server, tmp_path):
    feed_server.route("/plain.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    feed_server.gzip("/gz.xml", RSS, headers={"Content-Type": "application/rss+xml"})
    urls = [feed_server.url("/plain.xml"), feed_server.url("/gz.xml")]
    results = fetch_all(settings(tmp_path), urls)
    assert [result.body for result in results] == [RSS, RSS]

    warc = Warc(tmp_path / "warc")
    assert len(warc.files) == 1 and FILE_NAME.match(warc.files[0].name)
    assert warc.first_types == ["warcinfo"]
    assert sorted(record["uri"] for record in warc.responses) == sorted(urls)
    plain = warc.response(urls[0])
    assert plain["statusline"] == "200 OK" and plain["protocol"] == "HTTP/1.1"
    assert plain["raw"] == RSS
    assert plain["headers"]["content-type"] == "application/rss+xml"
    gz = warc.response(urls[1])
    assert gz["headers"]["content-encoding"] == "gzip"  # stored as received...
    assert gz["raw"][:2] == b"\x1f\x8b"  # the gzip bytes themselves
    assert decoded(gz) == RSS  # ...and replays as served
    assert gz["headers"]["content-length"] == str(len(gz["raw"]))

    requests = warc.of_type("request")
    assert len(requests) == 2
    by_response = {request["concurrent_to"]: request for request in requests}
    for response in warc.responses:
        request = by_response[response["id"]]
        assert request["uri"] == response["uri"]
        path = response["uri"].split(str(feed_server.port), 1)[1]
        assert (request["protocol"], request["statusline"]) == ("GET", f"{path} HTTP/1.1")
        assert request["headers"]["user-agent"].startswith("newsvault/")
        assert request["headers"]["host"] == feed_server.host


def test_warcio_decodes_the_gzip_payload_as_a_replay_tool_does(feed_server, tmp_path):
    feed_server.gzip("/gz.xml", RSS)
    fetch_all(settings(tmp_path), [feed_server.url("/gz.xml")])
    path = next((tmp_path / "warc").iterdir())
    with path.open("rb") as stream:
        bodies = [record.content_stream().read() for record in ArchiveIterator(stream)
                  if record.rec_type == "response"]
    assert bodies == [RSS]


def test_not_modified_errors_and_redirects_are_recorded_as_they_came(feed_server, tmp_path):
    feed_server.conditional("/cond.xml", RSS, etag='"v1"')
    feed_server.route("/missing.xml", status=404, body=b"no such feed")
    feed_server.redirect("/old.xml", "/cond.xml", 301)
    urls = [feed_server.url(path) for path in ("/cond.xml", "/missing.xml", "/old.xml")]
    results = fetch_all(settings(tmp_path), urls, etag='"v1"')
    assert results[0].status == 304 and results[2].status == 304
    assert isinstance(results[1], NotFoundError)

    warc = Warc(tmp_path / "warc")
    statuses = sorted((record["uri"].rsplit("/", 1)[1], record["statusline"])
                      for record in warc.responses)
    assert statuses == [("cond.xml", "304 Not Modified"), ("cond.xml", "304 Not Modified"),
                        ("missing.xml", "404 Not Found"), ("old.xml", "301 Moved Permanently")]
    assert warc.response(urls[1])["raw"] == b"no such feed"
    assert warc.response(urls[2])["headers"]["location"] == "/cond.xml"
    requests = warc.of_type("request")
    assert all(request["headers"].get("if-none-match") == '"v1"' for request in requests)


def test_every_attempt_of_a_retried_request_is_recorded(feed_server, tmp_path):
    from support.server import Response

    feed_server.sequence("/flaky.xml", [Response(503, b"busy"), Response(200, RSS)])
    [result] = fetch_all(settings(tmp_path, retries=1), [feed_server.url("/flaky.xml")])
    assert result.body == RSS
    assert [record["statusline"] for record in Warc(tmp_path / "warc").responses] == [
        "503 Service Unavailable", "200 OK"]


def test_a_chunked_body_is_stored_with_a_content_length(feed_server, tmp_path):
    feed_server.slow("/chunked.xml", [RSS[:50], RSS[50:]], interval=0.01)
    [result] = fetch_all(settings(tmp_path), [feed_server.url("/chunked.xml")])
    assert result.body == RSS
    [record] = Warc(tmp_path / "warc").responses
    assert "transfer-encoding" not in record["headers"]
    assert record["headers"]["content-length"] == str(len(RSS))
    assert record["raw"] == RSS


def test_a_body_over_the_cap_is_recorded_truncated(feed_server, tmp_path):
    feed_server.huge("/huge.xml", size=3 * 1024 * 1024, content_length=False)
    fetch_settings = settings(tmp_path, max_body_bytes=1024 * 1024)
    [result] = fetch_all(fetch_settings, [feed_server.url("/huge.xml")])
    assert isinstance(result, BodyTooLargeError)
    [record] = Warc(tmp_path / "warc").responses
    assert record["truncated"] == "length"
    assert 1024 * 1024 < len(record["raw"]) < 3 * 1024 * 1024
    assert set(record["raw"]) == {ord("x")}


def test_files_rotate_past_the_size_limit(feed_server, tmp_path):
    bodies = {f"/feed{n}.xml": os.urandom(3000) for n in range(12)}  # incompressible
    for path, body in bodies.items():
        feed_server.route(path, body=body)
    urls = [feed_server.url(path) for path in bodies]
    fetch_all(settings(tmp_path, warc_max_bytes=7000), urls)

    warc = Warc(tmp_path / "warc")
    assert len(warc.files) >= 4
    assert all(FILE_NAME.match(path.name) for path in warc.files)
    serials = [int(path.name[-13:-8]) for path in warc.files]
    assert serials == list(range(len(warc.files)))
    assert warc.first_types == ["warcinfo"] * len(warc.files)
    assert all(path.stat().st_size < 7000 + 2 * 3500 for path in warc.files)
    assert {record["uri"]: record["raw"] for record in warc.responses} == {
        feed_server.url(path): body for path, body in bodies.items()}
    # a pair never straddles two files
    for response in warc.responses:
        [request] = [r for r in warc.of_type("request") if r["concurrent_to"] == response["id"]]
        assert request["file"] == response["file"]


def test_a_small_queue_makes_fetches_wait_but_loses_nothing(feed_server, tmp_path):
    for n in range(40):
        feed_server.route(f"/q{n}.xml", body=RSS + str(n).encode())
    fetch_settings = settings(tmp_path, concurrency=16, per_host=16)
    recorder = WarcRecorder(tmp_path / "warc", 10**9, queue_size=1).start()

    async def go():
        async with HttpFetcher(fetch_settings, recorder=recorder) as fetcher:
            await asyncio.gather(*(fetcher.get(feed_server.url(f"/q{n}.xml")) for n in range(40)))

    asyncio.run(go())
    stats = recorder.close()
    assert (stats.records, stats.files, stats.error) == (40, 1, None)
    assert len(Warc(tmp_path / "warc").responses) == 40


def test_a_shared_recorder_outlives_the_fetchers_that_use_it(feed_server, tmp_path):
    feed_server.route("/a.xml", body=RSS)
    recorder = WarcRecorder(tmp_path / "warc", 10**9).start()
    for _ in range(2):
        async def go():
            async with HttpFetcher(settings(tmp_path, warc=False), recorder=recorder) as fetcher:
                await fetcher.get(feed_server.url("/a.xml"))
        asyncio.run(go())
    assert recorder.close().records == 2
    assert len(Warc(tmp_path / "warc").files) == 1


def test_an_unwritable_folder_costs_the_recording_not_the_fetch(feed_server, tmp_path, capfd):
    (tmp_path / "warc").write_text("a file where the folder should be")
    feed_server.route("/a.xml", body=RSS)
    [result] = fetch_all(settings(tmp_path), [feed_server.url("/a.xml")])
    assert result.body == RSS
    assert "warc: recording stopped" in capfd.readouterr().err


def test_nothing_is_written_when_recording_is_off(feed_server, tmp_path):
    feed_server.route("/a.xml", body=RSS)
    [result] = fetch_all(settings(tmp_path, warc=False), [feed_server.url("/a.xml")])
    assert result.body == RSS
    assert not (tmp_path / "warc").exists()


def test_untrusted_fetches_are_recorded_too(feed_server, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSVAULT_ALLOW_PRIVATE", "1")
    feed_server.route("/page.html", body=b"<p>page</p>")

    async def go():
        async with HttpFetcher(settings(tmp_path)) as fetcher:
            return await fetcher.get_untrusted(feed_server.url("/page.html"))

    assert asyncio.run(go()).body == b"<p>page</p>"
    assert Warc(tmp_path / "warc").response(feed_server.url("/page.html"))["raw"] == b"<p>page</p>"


def test_a_file_a_killed_run_left_open_is_cut_after_its_last_whole_record(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    whole = gzip.compress(b"WARC/1.0 warcinfo") + gzip.compress(b"WARC/1.0 response" * 1000)
    cut = gzip.compress(b"WARC/1.0 request" * 5000)[:-40]
    name = "newsvault-20220127093652-00000.warc.gz"
    (tmp_path / f"{name}.{ended.pid}.open").write_bytes(whole + cut)
    only_cut = f"newsvault-20220127093652-00001.warc.gz.{ended.pid}.open"
    (tmp_path / only_cut).write_bytes(cut)
    running = f"newsvault-20220127093652-00002.warc.gz.{os.getpid()}.open"
    (tmp_path / running).write_bytes(whole + cut)  # a run still writing it: left alone

    assert finish_killed_files(tmp_path) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [name, running]
    assert (tmp_path / name).read_bytes() == whole
    assert gzip.decompress((tmp_path / name).read_bytes()).startswith(b"WARC/1.0 warcinfo")
