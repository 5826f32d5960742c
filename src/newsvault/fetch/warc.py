"""Record HTTP exchanges as WARC request/response records (warcio), for replay tools.

The fetch client hands every response it got (feeds, pages, images; 200s, 304s,
redirects and errors alike) to :meth:`WarcRecorder.record`. Building and writing the
records happens in one background thread behind a bounded queue, so the event loop only
pays for a queue put; when recording is off there is no recorder at all.

The payload is stored as it came over the wire: content-encoded (gzip stays gzip, with
its ``Content-Encoding`` header), with the chunked transfer coding removed. So the
``Transfer-Encoding`` header is dropped and a ``Content-Length`` of the stored payload
is set; everything else, the status line included, is as received. This is the payload
the WARC standard describes, and what pywb and ReplayWeb.page expect.

Files: ``newsvault-YYYYmmddHHMMSS-NNNNN.warc.gz`` (the recorder's start time, then a
serial number), each one starting with a warcinfo record, a new one once a file is past
``max_bytes``. Every record is its own gzip member, and a request/response pair goes to
the file in one write. While it is written a file is named ``….warc.gz.PID.open`` (as
Heritrix marks its open files), and renamed when closed: a kill can cut a write short
(Linux ends a large write at a page when the process is killed), so the next recorder
finds the open files of processes that have ended, cuts off a record left half-written
and gives each file its name.
"""

import asyncio
import http
import io
import os
import queue
import re
import sys
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsvault import __version__
from newsvault.clock import now_ms
from newsvault.files import process_running

GZIP_LEVEL = 1
QUEUE_SIZE = 64  # exchanges waiting for the writer thread; a full queue makes fetches wait

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Exchange:
    """One HTTP request and the response that came back, as sent and received."""

    url: str
    target: str  # the request-target: path and query
    request_headers: Headers
    http_version: str  # "HTTP/1.1"
    status: int
    reason: str
    response_headers: Headers
    payload: bytes  # as on the wire, transfer coding removed
    date_ms: int
    ip: str | None = None
    truncated: bool = False  # the body was cut off at the size cap
    method: str = "GET"


@dataclass(slots=True)
class WarcStats:
    records: int = 0  # response records written
    files: int = 0
    error: str | None = None


class WarcRecorder:
    """``start()``, then ``await record(exchange)`` from the event loop, then ``close()``."""

    def __init__(self, directory: str | Path, max_bytes: int, clock_ms=now_ms,
                 queue_size: int = QUEUE_SIZE):
        started = datetime.fromtimestamp(clock_ms() / 1000, tz=timezone.utc)
        if finished := finish_killed_files(Path(directory)):
            print(f"newsvault: warc: finished {finished} file(s) a killed run had left open",
                  file=sys.stderr, flush=True)
        self._files = _RotatingFiles(Path(directory), max_bytes, started)
        self._queue: queue.Queue[Exchange | None] = queue.Queue(queue_size)
        self._thread = threading.Thread(target=self._write_all, name="warc-writer", daemon=True)
        self.stats = WarcStats()

    def start(self) -> "WarcRecorder":
        self._thread.start()
        return self

    async def record(self, exchange: Exchange) -> None:
        try:
            self._queue.put_nowait(exchange)
        except queue.Full:  # the disk is slower than the network: wait, off the event loop
            await asyncio.to_thread(self._queue.put, exchange)

    def close(self) -> WarcStats:
        """Write what is queued, close the file; returns what was written."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._files.close()
        self.stats.files = self._files.opened
        return self.stats

    def _write_all(self) -> None:
        writer = WARCWriter(None, gzip=False)  # each record is gzip'd by _gzip_member
        while (exchange := self._queue.get()) is not None:
            if self.stats.error is not None:
                continue  # keep draining, so that fetches never wait on a broken disk
            try:
                self._files.write(_records(writer, exchange), writer)
                self.stats.records += 1
            except Exception as error:  # a full disk must cost the recording, not the run
                self.stats.error = f"{type(error).__name__}: {error}"
                print(f"newsvault: warc: recording stopped: {self.stats.error}",
                      file=sys.stderr, flush=True)


def _records(writer: WARCWriter, exchange: Exchange) -> bytes:
    """The gzip'd request and response records of one exchange, ready to append."""
    date = _warc_date(exchange.date_ms)
    response_headers = {"WARC-Date": date}
    if exchange.ip:
        response_headers["WARC-IP-Address"] = exchange.ip
    if exchange.truncated:
        response_headers["WARC-Truncated"] = "length"
    response = writer.create_warc_record(
        exchange.url, "response", payload=io.BytesIO(exchange.payload),
        length=len(exchange.payload), warc_headers_dict=response_headers,
        http_headers=_response_head(exchange))
    request = writer.create_warc_record(
        exchange.url, "request", warc_headers_dict={"WARC-Date": date},
        http_headers=StatusAndHeaders(
            f"{exchange.method} {exchange.target} {exchange.http_version}",
            _text_headers(exchange.request_headers), is_http_request=True))
    request.rec_headers.add_header("WARC-Concurrent-To",
                                   response.rec_headers.get_header("WARC-Record-ID"))
    return _gzip_member(writer, response) + _gzip_member(writer, request)


def _gzip_member(writer: WARCWriter, record) -> bytes:
    """One record as one gzip member. warcio would compress at level 9 (13 MB/s on news
    HTML here); level 1 does 61 MB/s for files 13% larger, so the writer keeps up with
    the network instead of making fetches wait for it."""
    writer.out = io.BytesIO()
    writer.write_record(record)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(writer.out.getvalue()) + compressor.flush()


def _response_head(exchange: Exchange) -> StatusAndHeaders:
    headers = [(name, value) for name, value in _text_headers(exchange.response_headers)
               if name.lower() not in ("transfer-encoding", "content-length")]
    original_length = next((value for name, value in _text_headers(exchange.response_headers)
                            if name.lower() == "content-length"), None)
    # A truncated payload keeps the length the server announced; the record says it was cut.
    length = original_length if exchange.truncated and original_length else None
    headers.append(("Content-Length", length or str(len(exchange.payload))))
    reason = exchange.reason or _phrase(exchange.status)
    return StatusAndHeaders(f"{exchange.status} {reason}".strip(), headers,
                            protocol=exchange.http_version)


def _text_headers(headers: Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _warc_date(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _RotatingFiles:
    """Appends gzip'd records to ``newsvault-STAMP-NNNNN.warc.gz`` files in ``directory``,
    each begun with a warcinfo record, a new one once the current one is past the limit."""

    def __init__(self, directory: Path, max_bytes: int, started: datetime):
        self._directory, self._max_bytes = directory, max_bytes
        self._stamp = started.strftime("%Y%m%d%H%M%S")
        self._date = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._serial = 0
        self._fd: int | None = None
        self._size = 0
        self.opened = 0

    def write(self, data: bytes, writer: WARCWriter) -> None:
        if self._fd is None:
            self._open(writer)
        self._append(data)
        if self._size >= self._max_bytes:
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            os.rename(self._open_path, self._open_path.with_name(self._name))

    def _open(self, writer: WARCWriter) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"newsvault-{self._stamp}-{self._serial:05d}.warc.gz"
            self._serial += 1
            if (self._directory / name).exists():  # a run started in the same second
                continue
            open_path = self._directory / f"{name}.{os.getpid()}{_OPEN}"
            try:  # never append to another run's file
                self._fd = os.open(open_path,
                                   os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
                break
            except FileExistsError:
                continue
        self._name, self._open_path = name, open_path
        self._size = 0
        self.opened += 1
        warcinfo = writer.create_warcinfo_record(name, {
            "software": f"newsvault/{__version__}",
            "format": "WARC File Format 1.0",
            "description": "HTTP responses fetched by newsvault, payloads as received",
        })
        warcinfo.rec_headers.replace_header("WARC-Date", self._date)
        self._append(_gzip_member(writer, warcinfo))

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._size += len(data)


_OPEN = ".open"
_OPEN_NAME = re.compile(r"(newsvault-[0-9]+-[0-9]+\.warc\.gz)\.([0-9]+)\.open")
_READ_BYTES = 1 << 20


def finish_killed_files(directory: Path) -> int:
    """Give the files that killed runs left open (``….warc.gz.PID.open``, PID ended) their
    names, each cut after its last whole record; how many. A file without one whole
    record (its warcinfo cut short) is deleted."""
    try:
        names = os.listdir(directory)
    except OSError:  # none yet, or not a folder: the recording will say so
        return 0
    finished = 0
    for name in names:
        match = _OPEN_NAME.fullmatch(name)
        if match is None or process_running(int(match[2])):
            continue
        try:
            _finish(directory / name, directory / match[1])
        except OSError as error:  # left for a later run; this one records all the same
            print(f"newsvault: warc: cannot finish {name}: {error}", file=sys.stderr, flush=True)
            continue
        finished += 1
    return finished


def _finish(open_path: Path, path: Path) -> None:
    whole = _whole_members_length(open_path)
    if whole:
        os.truncate(open_path, whole)
        os.rename(open_path, path)
    else:
        open_path.unlink()


def _whole_members_length(path: Path) -> int:
    """How many bytes at the start of ``path`` are whole gzip members (the records)."""
    whole = position = 0
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as stream:
        while chunk := stream.read(_READ_BYTES):
            while chunk:
                try:
                    member.decompress(chunk, 0)
                except zlib.error:  # not gzip from here on: keep what came before
                    return whole
                if not member.eof:
                    position += len(chunk)
                    break
                used = len(chunk) - len(member.unused_data)
                position += used
                whole = position
                chunk = member.unused_data
                member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    return whole
