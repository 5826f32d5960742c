"""HttpFetcher: GET with limits, timeouts, manual redirects, retries and a body cap."""

import asyncio
import socket
import ssl

import httpx

from newsvault.clock import now_ms
from newsvault.config import FetchSettings
from newsvault.errors import (
    FetchError,
    FetchTimeoutError,
    NetworkError,
    ServerError,
    TooManyRedirectsError,
)
from newsvault.fetch.limits import ACCEPT_ENCODING, RequestLimits, check_content_length, read_body
from newsvault.fetch.pool import ClientShards
from newsvault.fetch.response import (
    PERMANENT_REDIRECT_STATUSES,
    REDIRECT_STATUSES,
    HttpResponse,
    error_for_status,
)

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")


class HttpFetcher:
    """Fetches URLs concurrently within ``settings``; use as ``async with HttpFetcher(...)``."""

    def __init__(self, settings: FetchSettings, *, clock_ms=now_ms):
        self._settings = settings
        self._clock_ms = clock_ms
        self._limits: RequestLimits | None = None
        self._shards: ClientShards | None = None

    async def __aenter__(self) -> "HttpFetcher":
        self._limits = RequestLimits(self._settings.concurrency, self._settings.per_host)
        tls = httpx.create_ssl_context()  # one for all shards: each costs ~30 ms to build
        self._shards = ClientShards(self._settings.concurrency,
                                    lambda connections: self._make_client(connections, tls))
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._shards is not None:
            await self._shards.aclose()
            self._shards = None

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  accept: str | None = None) -> HttpResponse:
        """GET ``url``; a 2xx or 304 comes back, everything else raises a FetchError.
        ``accept``: in place of the feeds' Accept header (a web page asks for HTML)."""
        if self._shards is None:
            raise RuntimeError("HttpFetcher.get() outside `async with HttpFetcher(...)`")
        headers = {"Accept": accept} if accept else {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        total = self._settings.total_timeout
        scope = asyncio.timeout(None)
        try:
            async with scope:
                return await self._follow(url, headers, _Deadline(scope, total))
        except TimeoutError:
            if not scope.expired():
                raise
            raise FetchTimeoutError(f"fetch: timed out after {total:g}s (total)") from None

    async def _follow(self, url: str, headers: dict, deadline: "_Deadline") -> HttpResponse:
        seen = {url}
        permanent_url, still_permanent = None, True
        for _ in range(max(self._settings.max_redirects, 0) + 1):
            result = await self._attempts(url, headers, deadline)
            if isinstance(result, HttpResponse):
                result.permanent_url = permanent_url
                return result
            status, target = result
            still_permanent = still_permanent and status in PERMANENT_REDIRECT_STATUSES
            if still_permanent:
                permanent_url = target
            if target in seen:
                raise TooManyRedirectsError(f"fetch: redirect loop at {target}")
            seen.add(target)
            url = target
        raise TooManyRedirectsError(
            f"fetch: too many redirects (more than {self._settings.max_redirects})")

    async def _attempts(self, url: str, headers: dict, deadline: "_Deadline"):
        """One hop, retried after a 5xx or a network failure with exponential backoff.

        A retry whose backoff would run past the total timeout is not made: the error
        that caused it says more than a timeout would.
        """
        retries, backoff = max(self._settings.retries, 0), self._settings.backoff
        for attempt in range(retries + 1):
            try:
                return await self._exchange(url, headers, deadline)
            except _Retry as retry:
                delay = backoff * 2**attempt
                if attempt == retries or not deadline.allows(delay):
                    raise retry.error from None
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _exchange(self, url: str, headers: dict, deadline: "_Deadline"):
        """One request: an HttpResponse, or (status, absolute target) for a redirect."""
        parsed = _parse_url(url)
        host = f"{parsed.host}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"
        async with self._limits.slot(host):
            deadline.start()
            with self._shards.lease(host) as client:
                try:
                    async with client.stream("GET", parsed, headers=headers) as response:
                        return await self._read(url, response, headers)
                except httpx.HTTPError as error:
                    raise _transport_error(error, host, self._settings) from None

    async def _read(self, url: str, response: httpx.Response, sent: dict):
        status, headers = response.status_code, response.headers
        location = headers.get("location")
        if status in REDIRECT_STATUSES and location:
            await _drain(response)
            return status, _redirect_target(url, location)
        error = error_for_status(status, headers, self._clock_ms)
        if isinstance(error, ServerError):
            raise _Retry(error)
        if error is not None:
            raise error
        if status == 304:
            await _drain(response)
            return HttpResponse(url, 304, b"", headers.get("content-type"),
                                headers.get("etag") or sent.get("If-None-Match"),
                                headers.get("last-modified") or sent.get("If-Modified-Since"),
                                None, 0)
        cap = self._settings.max_body_bytes
        check_content_length(headers.get("content-length"), cap)
        body, wire = await read_body(response.aiter_raw(), headers.get("content-encoding"), cap)
        return HttpResponse(url, status, body, headers.get("content-type"), headers.get("etag"),
                            headers.get("last-modified"), None, wire)

    def _make_client(self, connections: int, tls: ssl.SSLContext) -> httpx.AsyncClient:
        settings = self._settings
        return httpx.AsyncClient(
            verify=tls,
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                                  write=settings.read_timeout, pool=settings.connect_timeout),
            limits=httpx.Limits(max_connections=connections,
                                max_keepalive_connections=connections),
            follow_redirects=False,
        )


class _Deadline:
    """The total timeout. It starts when the first request gets its slots, so that time
    spent queued behind other sources does not count against this one."""

    def __init__(self, scope: asyncio.Timeout, seconds: float):
        self._scope, self._seconds = scope, seconds

    def start(self) -> None:
        if self._scope.when() is None:
            self._scope.reschedule(asyncio.get_running_loop().time() + self._seconds)

    def allows(self, delay: float) -> bool:
        when = self._scope.when()
        return when is None or asyncio.get_running_loop().time() + delay < when


class _Retry(Exception):
    """A failure worth another attempt; ``error`` is raised if none is left."""

    def __init__(self, error: FetchError):
        super().__init__(str(error))
        self.error = error


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise FetchError(f"fetch: not a valid URL: {url} ({error})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(f"fetch: not an http(s) URL: {url}")
    return parsed


def _redirect_target(url: str, location: str) -> str:
    try:
        target = httpx.URL(url).join(location.strip())
    except httpx.InvalidURL:
        raise FetchError(f"fetch: redirect to an invalid URL: {location}") from None
    if target.scheme not in ("http", "https"):
        raise FetchError(f"fetch: redirect to a URL that is not http(s): {location}")
    return str(target)


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a small body we do not need, so httpx can put the connection back in the pool;
    a large one is abandoned (the connection closes with the stream)."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > limit:
            return


def _transport_error(error: httpx.HTTPError, host: str, settings: FetchSettings) -> Exception:
    """The FetchError for a failure below HTTP, wrapped in _Retry when worth retrying."""
    if isinstance(error, httpx.ConnectTimeout):
        return _Retry(FetchTimeoutError(
            f"fetch: timed out after {settings.connect_timeout:g}s (connect)"))
    if isinstance(error, httpx.TimeoutException):
        phase, seconds = {
            httpx.ReadTimeout: ("read", settings.read_timeout),
            httpx.WriteTimeout: ("write", settings.read_timeout),
        }.get(type(error), ("waiting for a connection", settings.connect_timeout))
        return FetchTimeoutError(f"fetch: timed out after {seconds:g}s ({phase})")
    if isinstance(error, httpx.ConnectError):
        cause = _os_error(error)
        if isinstance(cause, ssl.SSLError):  # a bad certificate does not heal in a second
            return NetworkError(f"fetch: TLS failed with {host} ({_tls_reason(cause)})")
        return _Retry(NetworkError(f"fetch: cannot connect to {host} ({_reason(cause)})"))
    if isinstance(error, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return _Retry(NetworkError(f"fetch: connection to {host} broke off ({_reason(error)})"))
    if isinstance(error, httpx.UnsupportedProtocol):
        return FetchError(f"fetch: not an http(s) URL ({error})")
    return NetworkError(f"fetch: request to {host} failed ({error or type(error).__name__})")


def _os_error(error: BaseException) -> BaseException:
    """The innermost OSError under httpx's, httpcore's and anyio's wrappers (anyio's own
    "All connection attempts failed" hides the refused or unreachable one), or ``error``."""
    found: BaseException = error
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, BaseExceptionGroup) and current.exceptions:
            current = current.exceptions[0]
            continue
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    return found


def _tls_reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate not trusted: {error.verify_message}"
    return (error.reason or str(error)).replace("_", " ").lower()


def _reason(error: BaseException) -> str:
    cause = _os_error(error)
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, ConnectionResetError):
        return "connection reset"
    if isinstance(cause, socket.gaierror):
        return "host name not found"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    text = str(cause).rstrip(".")
    if "without sending a response" in text or "peer closed connection" in text:
        return "the server closed the connection"
    return text or type(cause).__name__
