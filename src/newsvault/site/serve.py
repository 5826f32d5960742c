"""``newsvault serve``: the built site over HTTP, and the search API, on loopback unless told.

``GET /api/search?q=&source=&limit=`` answers with ``search_articles``' hits as JSON, each
with ``page``, the path of the hit's article page in this site, added.

Files are served with an ETag and in byte ranges (``Range: bytes=a-b``, ``a-``, ``-n``; 206),
which browsers ask for to play audio and video (Safari plays none without) and to resume
a download. Several ranges in one request get the whole file (200), as HTTP allows.
A file is sent as it is on disk (there are no compressed variants to choose from), so a
range counts the very bytes sent.
"""

import json
import os
import re
import socket
import threading
from collections.abc import Callable
from datetime import timezone
from email.utils import parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from newsvault.errors import NewsvaultError
from newsvault.site.builder import article_pages
from newsvault.site.state import STATE_FILE
from newsvault.store import SqliteStore

DEFAULT_LIMIT = 20


class SearchApi:
    """Answers search queries from one store connection, one query at a time (a search
    may bring the index up to date first, which writes)."""

    def __init__(self, store: SqliteStore, site_dir: Path, untitled: str = "(untitled)"):
        self.store, self.site_dir, self.untitled = store, site_dir, untitled
        self.archive_id = store.archive_id()  # pages of a build from another database: none
        self._lock = threading.Lock()
        self._pages_seen: tuple[float, dict[int, str]] = (-1.0, {})

    def _pages(self) -> dict[int, str]:
        """Article id → page, from the build manifest; read again after each build."""
        try:
            mtime = (self.site_dir / STATE_FILE).stat().st_mtime
        except FileNotFoundError:
            return {}
        if mtime != self._pages_seen[0]:
            self._pages_seen = (mtime, article_pages(self.site_dir, self.archive_id))
        return self._pages_seen[1]

    def answer(self, query: dict[str, list[str]]) -> tuple[int, object]:
        try:
            from newsvault.search import search_articles
        except ImportError:
            return HTTPStatus.NOT_IMPLEMENTED, {"error": "search is not available"}
        text = query.get("q", [""])[0]
        source = query.get("source", [""])[0] or None
        try:
            limit = int(query.get("limit", [DEFAULT_LIMIT])[0])
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "limit must be a number"}
        try:
            with self._lock:
                hits = search_articles(self.store, text, source=source, limit=limit,
                                       untitled=self.untitled)
        except NewsvaultError as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        return HTTPStatus.OK, [{**hit.to_json(), "page": self._pages().get(hit.article_id)}
                               for hit in hits]


class SiteHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, api: SearchApi, **kwargs):
        self.api = api
        super().__init__(*args, **kwargs)

    def do_GET(self):
        if not self._answer_api(send_body=True):
            super().do_GET()

    def do_HEAD(self):
        if not self._answer_api(send_body=False):
            super().do_HEAD()

    def _answer_api(self, send_body: bool) -> bool:
        """Answers /api/search; False for any other path."""
        parts = urlsplit(self.path)
        if parts.path != "/api/search":
            return False
        status, body = self.api.answer(parse_qs(parts.query))
        self._send_json(status, body, send_body)
        return True

    def send_head(self):
        if _hidden(self.path):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        path = self._file_path()
        if path is None:  # a folder's URL without its "/" is redirected, nothing there is 404
            return super().send_head()
        return self._send_file(path)

    def _file_path(self) -> str | None:
        """The file a GET of this URL answers with: a folder's index.html for its URL with
        the "/"; None for anything else."""
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not urlsplit(self.path).path.endswith("/"):
                return None
            path = os.path.join(path, "index.html")
        return path if os.path.isfile(path) else None

    def _send_file(self, path: str):
        """Sends the head of the whole file, of a byte range of it, or of a 304 or 416
        answer; returns what to copy as the body, or None."""
        try:
            file = open(path, "rb")
        except OSError:  # gone since it was looked at
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        try:
            span = self._send_file_head(path, os.fstat(file.fileno()))
        except BaseException:
            file.close()
            raise
        if span is None:
            file.close()
            return None
        file.seek(span[0])
        return _Span(file, span[1] - span[0] + 1)

    def _send_file_head(self, path: str, stat: os.stat_result) -> tuple[int, int] | None:
        """The head; returns the (first, last) byte the body is, None for no body."""
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        if self._not_modified(etag, stat.st_mtime):
            self._send_bare(HTTPStatus.NOT_MODIFIED, ETag=etag)
            return None
        span = self._wanted_range(etag, stat.st_size)
        if span is UNSATISFIABLE:
            self._send_bare(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                            **{"Content-Range": f"bytes */{stat.st_size}"})
            return None
        first, last = span or (0, stat.st_size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(last - first + 1))
        if span:
            self.send_header("Content-Range", f"bytes {first}-{last}/{stat.st_size}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.date_time_string(stat.st_mtime))
        self.end_headers()
        return first, last

    def _not_modified(self, etag: str, mtime: float) -> bool:
        """If-None-Match, else If-Modified-Since, as HTTP orders them."""
        if "If-None-Match" in self.headers:
            tags = {tag.strip() for tag in self.headers["If-None-Match"].split(",")}
            return bool(tags & {"*", etag, f"W/{etag}"})
        try:
            since = parsedate_to_datetime(self.headers["If-Modified-Since"])
        except (TypeError, IndexError, OverflowError, ValueError):  # none, or ill-formed
            return False
        return int(mtime) <= since.replace(tzinfo=since.tzinfo or timezone.utc).timestamp()

    def _wanted_range(self, etag: str, size: int):
        """The Range asked for, as (first, last) byte; None for the whole file: no Range,
        a HEAD (ranges are GET's), an If-Range that is not this file's ETag (a date too:
        a Last-Modified to the second is no strong validator), several ranges."""
        if self.command != "GET" or self.headers.get("If-Range", etag).strip() != etag:
            return None
        return byte_range(self.headers.get("Range"), size)

    def _send_bare(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def list_directory(self, path):
        """A folder without index.html is no page (its listing would show the build's
        files): 404."""
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _send_json(self, status: int, body: object, send_body: bool = True) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        data = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # quiet: a reader's clicks are not news


UNSATISFIABLE = "unsatisfiable"
_BYTE_RANGE = re.compile(r"bytes=[ \t]*(\d*)-(\d*)[ \t]*", re.IGNORECASE | re.ASCII)


def byte_range(header: str | None, size: int):
    """``Range: bytes=a-b``, ``a-`` or ``-n`` of a file of ``size`` bytes, as (first, last),
    UNSATISFIABLE when it starts past the end (or asks for the last 0 bytes); None for
    the whole file: no header, several ranges, another unit or a malformed one (ignored,
    as HTTP allows), or an empty file (no byte to point at)."""
    match = _BYTE_RANGE.fullmatch(header or "")
    if not match or size == 0 or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last n bytes
        return (max(0, size - int(last)), size - 1) if int(last) else UNSATISFIABLE
    if last != "" and int(last) < int(first):
        return None
    if int(first) >= size:
        return UNSATISFIABLE
    return int(first), (min(int(last), size - 1) if last else size - 1)


class _Span:
    """``length`` bytes of ``file`` from where it stands: the body of a range."""

    def __init__(self, file, length: int):
        self.file, self.left = file, length

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def _hidden(url_path: str) -> bool:
    """Whether the request names a dot-file or dot-folder (.newsvault-build holds the
    build's state), or goes through "." or "..": never served."""
    path = unquote(urlsplit(url_path).path)
    return any(part.startswith(".") for part in path.split("/"))


SiteHandler.extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                              ".html": "text/html; charset=utf-8",
                              ".xml": "application/xml; charset=utf-8",
                              ".css": "text/css; charset=utf-8",
                              ".js": "text/javascript; charset=utf-8",
                              ".svg": "image/svg+xml"}


class _Ipv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def make_server(site_dir: Path, store: SqliteStore, host: str = "127.0.0.1",
                port: int = 8000, untitled: str = "(untitled)") -> ThreadingHTTPServer:
    site_dir = Path(site_dir).resolve()
    handler = partial(SiteHandler, api=SearchApi(store, site_dir, untitled),
                      directory=str(site_dir))
    server_class = _Ipv6Server if ":" in host else ThreadingHTTPServer
    try:
        server = server_class((host, port), handler)
    except OSError as error:  # the port is taken, the address is not this machine's...
        raise NewsvaultError(f"serve: cannot listen on {host}:{port}: {error.strerror or error};"
                             " choose another with --port or --host") from None
    server.daemon_threads = True
    return server


def serve_site(site_dir: Path, store: SqliteStore, host: str, port: int,
               on_ready: Callable[[str], None], untitled: str = "(untitled)") -> None:
    """Serve until interrupted; ``on_ready`` gets the URL (the real port when given 0);
    ``untitled``: the search API's title for a hit with neither title nor text."""
    with make_server(site_dir, store, host, port, untitled) as server:
        bound_host, bound_port = server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        on_ready(f"http://{shown}:{bound_port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
