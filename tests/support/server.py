"""A real HTTP/1.1 server on 127.0.0.1 for tests: program routes, fetch, then assert on
what the server received. No mocks: clients talk to it over loopback TCP.

    with FeedServer() as server:                      # or the ``feed_server`` fixture
        server.route("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
        ...fetch server.url("/feed.xml")...
        assert server.count("/feed.xml") == 1
        assert server.last("/feed.xml").headers["user-agent"].startswith("newsvault/")

Routes
    A pattern matches a path exactly (the query string is ignored) or, when it ends with
    ``*``, every path that starts with what comes before the ``*``. The last route added
    for a pattern wins; exact patterns win over prefixes. Unrouted paths answer 404.

    ``route(path, body=..., status=..., headers=..., delay=...)`` a fixed answer
    ``route(path, handler=fn)``     fn(Request) -> Response, or None to close unanswered
    ``sequence(path, [r1, r2])``    answers in turn; the last one repeats
    ``redirect(path, to, status)``  Location: ``to`` (relative or absolute)
    ``slow(path, chunks, interval)``   a chunked body trickled with pauses
    ``hang(path)``                  reads the request and never answers
    ``hang(path, headers=...)``     sends the status line and headers, then no body
    ``gzip(path, body)``            Content-Encoding: gzip
    ``close_delimited(path, body, version)``  no Content-Length nor chunking: the body ends
                                    when the connection closes (HTTP/1.0, or 1.1 with
                                    Connection: close)
    ``gzip_bomb(path, size)``       a few dozen KB of gzip that decompress to ``size`` bytes
    ``huge(path, size)``            a body of ``size`` bytes streamed in 64 KB chunks
    ``conditional(path, body, etag=..., last_modified=...)``  304 when the validators match

What was received
    ``requests(pattern)``, ``count(pattern)``, ``last(pattern)``: every request is logged
    (method, path, query, lower-cased headers). ``max_in_flight(pattern)``: the most
    requests matching ``pattern`` that were being served at once; a request is in flight
    from the moment its head is read until just before the last bytes of its answer are
    written, so a client can never see an answer end before the server counts it done.
    ``sent_bytes(pattern)``: body bytes actually written (a client that gave up early
    shows up here).

Helpers outside the class: ``closed_port_url()`` for "connection refused",
``gzip_bomb_bytes(size)``.
"""

import email.utils
import gzip as gzip_module
import http
import socket
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["MB", "FeedServer", "Request", "Response", "closed_port_url", "gzip_bomb_bytes"]

MB = 1024 * 1024
_CHUNK = 64 * 1024
_HANG_LIMIT = 120.0  # seconds; a hanging handler gives up by itself even if nobody stops it


@dataclass(slots=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes = b""
    peer: tuple[str, int] = ("", 0)  # the client's address: one per connection


@dataclass(slots=True)
class Response:
    """An answer. ``body`` is bytes, or an iterable of bytes chunks for a streamed body:
    sent with ``Transfer-Encoding: chunked`` unless ``headers`` give a Content-Length."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    chunk_delay: float = 0.0  # seconds to wait before each chunk after the first
    # the body (bytes) sent as is, ended by closing the connection; on a status line of this
    # version ("HTTP/1.0" or "HTTP/1.1")
    close_delimited: str | None = None


Handler = Callable[[Request], "Response | None"]


class FeedServer:
    """A threaded HTTP/1.1 server (keep-alive, one daemon thread per connection)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._log: list[Request] = []
        self._in_flight_events: list[tuple[str, int]] = []  # (path, +1 | -1) in order
        self._sent: dict[int, int] = {}  # id of Request -> body bytes written
        self._stopping = threading.Event()
        self.errors: list[str] = []  # tracebacks of handlers that raised (answered 500)
        self._httpd = _Server((host, port), _RequestHandler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> "FeedServer":
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"feed-server-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging handlers and drop every open connection."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, the host:port key a client's per-host limit uses."""
        return f"{self._httpd.server_address[0]}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}{path}"

    # -- routes -----------------------------------------------------------------------

    def route(self, path: str, body: bytes = b"", status: int = 200,
              headers: dict[str, str] | None = None, delay: float = 0.0,
              handler: Handler | None = None) -> None:
        if handler is None:
            fixed = dict(headers or {})

            def handler(_request: Request) -> Response:
                return Response(status, body, dict(fixed), delay)

        with self._lock:
            self._routes[path] = handler

    def sequence(self, path: str, responses: list[Response]) -> None:
        """Answer with ``responses`` in turn; once they run out, the last one repeats."""
        remaining = list(responses)
        lock = threading.Lock()

        def handler(_request: Request) -> Response:
            with lock:
                return remaining.pop(0) if len(remaining) > 1 else remaining[0]

        self.route(path, handler=handler)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.route(path, status=status, headers={"Location": to})

    def slow(self, path: str, chunks: list[bytes], interval: float,
             headers: dict[str, str] | None = None) -> None:
        """A chunked body: the first chunk at once, then one every ``interval`` seconds."""
        self.route(path, handler=lambda _request: Response(
            200, list(chunks), dict(headers or {}), chunk_delay=interval))

    def hang(self, path: str, headers: dict[str, str] | None = None) -> None:
        """Read the request and never answer; with ``headers``, send the status line and
        those headers first (e.g. a Content-Length) and then no body."""
        if headers is None:
            self.route(path, handler=lambda _request: self._wait_until_stopped())
        else:
            self.route(path, handler=lambda _request: Response(
                200, self._stalled_body(), dict(headers)))

    def close_delimited(self, path: str, body: bytes, version: str = "HTTP/1.0",
                        headers: dict[str, str] | None = None) -> None:
        """``body`` with neither Content-Length nor chunking, then the connection closed:
        a body cut short this way looks whole, only its bytes can tell."""
        headers = dict(headers or {})
        if version != "HTTP/1.0":
            headers["Connection"] = "close"
        self.route(path, handler=lambda _request: Response(
            200, body, dict(headers), close_delimited=version))

    def gzip(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        encoded = gzip_module.compress(body)
        self.route(path, body=encoded, headers={**(headers or {}), "Content-Encoding": "gzip"})

    def gzip_bomb(self, path: str, size: int = 60 * MB) -> int:
        """Serve gzip that decompresses to ``size`` zero bytes; returns its wire size."""
        bomb = gzip_bomb_bytes(size)
        self.route(path, body=bomb, headers={"Content-Encoding": "gzip",
                                             "Content-Type": "application/rss+xml"})
        return len(bomb)

    def huge(self, path: str, size: int = 50 * MB, content_length: bool = True) -> None:
        """``size`` bytes of b"x", streamed without ever being held in memory; with
        ``content_length=False`` sent chunked, so only the bytes themselves tell the size."""
        headers = {"Content-Type": "application/rss+xml"}
        if content_length:
            headers["Content-Length"] = str(size)
        self.route(path, handler=lambda _request: Response(200, _repeat(size), dict(headers)))

    def conditional(self, path: str, body: bytes, etag: str | None = None,
                    last_modified: str | None = None,
                    headers: dict[str, str] | None = None) -> None:
        """200 with ETag / Last-Modified, or 304 when If-None-Match names the ETag or,
        without If-None-Match, If-Modified-Since is not before Last-Modified."""
        validators = {}
        if etag:
            validators["ETag"] = etag
        if last_modified:
            validators["Last-Modified"] = last_modified

        def handler(request: Request) -> Response:
            if _not_modified(request.headers, etag, last_modified):
                return Response(304, b"", dict(validators))
            return Response(200, body, {**(headers or {}), **validators})

        self.route(path, handler=handler)

    # -- what was received ------------------------------------------------------------

    def requests(self, pattern: str = "*") -> list[Request]:
        with self._lock:
            return [request for request in self._log if _matches(pattern, request.path)]

    def count(self, pattern: str = "*") -> int:
        return len(self.requests(pattern))

    def last(self, pattern: str = "*") -> Request:
        found = self.requests(pattern)
        if not found:
            raise AssertionError(f"no request matched {pattern!r}")
        return found[-1]

    def max_in_flight(self, pattern: str = "*") -> int:
        with self._lock:
            events = list(self._in_flight_events)
        current = highest = 0
        for path, step in events:
            if _matches(pattern, path):
                current += step
                highest = max(highest, current)
        return highest

    def sent_bytes(self, pattern: str = "*") -> int:
        with self._lock:
            return sum(self._sent.get(id(request), 0) for request in self._log
                       if _matches(pattern, request.path))

    # -- serving (called from handler threads) ----------------------------------------

    def _serve(self, handler: "_RequestHandler") -> None:
        request = handler.read_request()
        with self._lock:
            self._log.append(request)
            self._in_flight_events.append((request.path, +1))
            route = self._find_route(request.path)
        done = _Once(lambda: self._finish(request))
        try:
            response = self._answer(route, request)
            if response is None:
                handler.close_connection = True
                return
            handler.send(response, done, lambda count: self._count_sent(request, count))
        except OSError:  # the client went away
            handler.close_connection = True
        finally:
            done()

    def _answer(self, route: Handler | None, request: Request) -> Response | None:
        if route is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        try:
            response = route(request)
        except Exception:
            self.errors.append(traceback.format_exc())
            return Response(500, b"handler failed", {"Content-Type": "text/plain"})
        if response is not None and response.delay:
            self._stopping.wait(response.delay)
        return response

    def _find_route(self, path: str) -> Handler | None:
        if path in self._routes:
            return self._routes[path]
        prefixes = [p for p in self._routes if p.endswith("*") and path.startswith(p[:-1])]
        return self._routes[max(prefixes, key=len)] if prefixes else None

    def _finish(self, request: Request) -> None:
        with self._lock:
            self._in_flight_events.append((request.path, -1))

    def _count_sent(self, request: Request, count: int) -> None:
        with self._lock:
            self._sent[id(request)] = self._sent.get(id(request), 0) + count

    def _wait_until_stopped(self) -> None:
        self._stopping.wait(_HANG_LIMIT)
        return None

    def _stalled_body(self) -> Iterator[bytes]:
        self._stopping.wait(_HANG_LIMIT)
        yield from ()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # many clients connect at once; a short backlog drops SYNs
    owner: FeedServer

    def __init__(self, *args, **kwargs):
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def get_request(self):
        connection, address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up mid-answer is normal here


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format, *args) -> None:
        pass

    def read_request(self) -> Request:
        path, _, query = self.path.partition("?")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        length = int(headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        return Request(self.command, path, query, headers, body, self.client_address[:2])

    def send(self, response: Response, done: Callable[[], None],
             count_sent: Callable[[int], None]) -> None:
        headers = dict(response.headers)
        if response.close_delimited:
            self.close_connection = True
            done()
            self.wfile.write(_head(response.status, headers, response.close_delimited)
                             + bytes(response.body))
            count_sent(len(response.body))
            return
        names = {name.lower() for name in headers}
        bodiless = response.status in (204, 304) or 100 <= response.status < 200
        streamed = not isinstance(response.body, (bytes, bytearray, memoryview))
        chunked = streamed and "content-length" not in names and not bodiless
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif not streamed and not bodiless and "content-length" not in names:
            headers["Content-Length"] = str(len(response.body))
        if "connection" in names and headers.get("Connection", "").lower() == "close":
            self.close_connection = True
        head = _head(response.status, headers)
        if bodiless or self.command == "HEAD":
            done()
            self.wfile.write(head)
        elif not streamed:
            done()
            self.wfile.write(head + bytes(response.body))
            count_sent(len(response.body))
        else:
            self.wfile.write(head)
            self._stream(response, chunked, done, count_sent)

    def _stream(self, response: Response, chunked: bool, done, count_sent) -> None:
        first = True
        for chunk in _last_marked(response.body, done, before_last=not chunked):
            if not first and response.chunk_delay:
                time.sleep(response.chunk_delay)
            first = False
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                count_sent(len(chunk))
        if chunked:
            done()
            self.wfile.write(b"0\r\n\r\n")


def _last_marked(chunks: Iterable[bytes], done: Callable[[], None],
                 before_last: bool) -> Iterator[bytes]:
    """Yield ``chunks``; when ``before_last``, call ``done`` just before the last one."""
    iterator = iter(chunks)
    previous = next(iterator, None)
    while previous is not None:
        following = next(iterator, None)
        if following is None and before_last:
            done()
        yield previous
        previous = following


def _head(status: int, headers: dict[str, str], version: str = "HTTP/1.1") -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"{version} {status} {phrase}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Once:
    def __init__(self, action: Callable[[], None]):
        self._action: Callable[[], None] | None = action

    def __call__(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()


def _matches(pattern: str, path: str) -> bool:
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


def _repeat(size: int) -> Iterator[bytes]:
    block = b"x" * _CHUNK
    full, rest = divmod(size, _CHUNK)
    for _ in range(full):
        yield block
    if rest:
        yield block[:rest]


def _not_modified(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    if "if-none-match" in headers:
        wanted = [tag.strip() for tag in headers["if-none-match"].split(",")]
        return etag is not None and ("*" in wanted or etag in wanted)
    since = headers.get("if-modified-since")
    if not since or not last_modified:
        return False
    try:
        return email.utils.parsedate_to_datetime(since) >= \
            email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=4)
def gzip_bomb_bytes(size: int = 60 * MB) -> bytes:
    """A gzip member of ``size`` zero bytes, built at run time (about size/1000 bytes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    parts = [compressor.compress(zeros) for _ in range(size // MB)]
    parts.append(compressor.compress(bytes(size % MB)))
    parts.append(compressor.flush())
    return b"".join(parts)


def closed_port_url(path: str = "/") -> str:
    """A loopback URL where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
