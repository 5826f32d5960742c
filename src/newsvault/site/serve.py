"""``newsvault serve``: the built site over HTTP, and the search API, on loopback unless told.

``GET /api/search?q=&source=&limit=`` answers with ``search_articles``' hits as JSON, each
with ``page``, the path of the hit's article page in this site, added.
"""

import json
import socket
import threading
from collections.abc import Callable
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
        return super().send_head()

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
