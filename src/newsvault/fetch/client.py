"""HttpFetcher: GET with limits, timeouts, manual redirects, retries and a body cap; for
URLs from untrusted content, behind the SSRF guard; every response recorded in WARC files
when that is on."""

import asyncio
import socket
import ssl

import httpx

from newsvault.clock import now_ms
from newsvault.config import FetchSettings
from newsvault.errors import (
    BodyTooLargeError,
    FetchError,
    FetchTimeoutError,
    NetworkError,
    ServerError,
    TooManyRedirectsError,
)
from newsvault.fetch.limits import ACCEPT_ENCODING, RequestLimits, check_content_length, read_body
from newsvault.fetch.netsafe import (
    AddressCheck,
    GuardedTransport,
    blocked_reason,
    check_untrusted_url,
    private_addresses_allowed,
)
from newsvault.fetch.pool import ClientShards
from newsvault.fetch.response import (
    PERMANENT_REDIRECT_STATUSES,
    REDIRECT_STATUSES,
    HttpResponse,
    error_for_status,
)
from newsvault.fetch.warc import Exchange, WarcRecorder

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")


class HttpFetcher:
    """Fetches URLs concurrently within ``settings``; use as ``async with HttpFetcher(...)``.

    ``get`` is for the feeds the user configured; ``get_untrusted`` for URLs found in feed
    or page content (article pages, images). ``recorder``: a WarcRecorder shared with other
    fetchers; without one, ``settings.warc`` makes the fetcher record into its own.
    ``address_check``: which addresses untrusted URLs must not reach (tests widen it).
    """

    def __init__(self, settings: FetchSettings, *, clock_ms=now_ms,
                 recorder: WarcRecorder | None = None,
                 address_check: AddressCheck = blocked_reason):
        self._settings = settings
        self._clock_ms = clock_ms
        self._limits: RequestLimits | None = None
        self._shards: ClientShards | None = None
        self._guarded_shards: ClientShards | None = None  # made on first untrusted fetch
        self._tls: ssl.SSLContext | None = None
        self._address_check = address_check
        self._recorder = recorder
        self._owns_recorder = False

    async def __aenter__(self) -> "HttpFetcher":
        self._limits = RequestLimits(self._settings.concurrency, self._settings.per_host)
        self._tls = httpx.create_ssl_context()  # one for all shards: each costs ~30 ms to build
        self._shards = ClientShards(self._settings.concurrency, self._make_client)
        if self._recorder is None and self._settings.warc:
            self._recorder = WarcRecorder(self._settings.warc_dir, self._settings.warc_max_bytes,
                                          self._clock_ms).start()
            self._owns_recorder = True
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for shards in (self._shards, self._guarded_shards):
            if shards is not None:
                await shards.aclose()
        self._shards = self._guarded_shards = None
        if self._owns_recorder:
            await asyncio.to_thread(self._recorder.close)
            self._recorder, self._owns_recorder = None, False

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  accept: str | None = None) -> HttpResponse:
        """GET ``url``; a 2xx or 304 comes back, everything else raises a FetchError."""
        return await self._get(url, self._open_shards(), etag, last_modified, accept)

    async def get_untrusted(self, url: str, *, etag: str | None = None,
                            last_modified: str | None = None,
                            accept: str | None = None) -> HttpResponse:
        """``get`` for a URL that untrusted content named (an article page, an image).

        Only http(s), and no connection to a private, loopback, link-local... address, on
        any redirect hop: a :class:`newsvault.errors.BlockedAddressError` ("fetch: blocked:
        10.0.0.5 is a private address") otherwise, which the caller reports for that item.
        ``allow_private_addresses`` or NEWSVAULT_ALLOW_PRIVATE=1 lifts the address check.
        """
        check_untrusted_url(url)
        self._open_shards()
        if private_addresses_allowed(self._settings):
            shards = self._shards
        else:
            if self._guarded_shards is None:
                self._guarded_shards = ClientShards(self._settings.concurrency,
                                                    self._make_guarded_client)
            shards = self._guarded_shards
        return await self._get(url, shards, etag, last_modified, accept)

    def _open_shards(self) -> ClientShards:
        if self._shards is None:
            raise RuntimeError("HttpFetcher.get() outside `async with HttpFetcher(...)`")
        return self._shards

    async def _get(self, url: str, shards: ClientShards, etag: str | None,
                   last_modified: str | None, accept: str | None) -> HttpResponse:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        total = self._settings.total_timeout
        scope = asyncio.timeout(None)
        try:
            async with scope:
                return await self._follow(url, headers, _Deadline(scope, total), shards)
        except TimeoutError:
            if not scope.expired():
                raise
            raise FetchTimeoutError(f"fetch: timed out after {total:g}s (total)") from None

    async def _follow(self, url: str, headers: dict, deadline: "_Deadline",
                      shards: ClientShards) -> HttpResponse:
        seen = {url}
        permanent_url, still_permanent = None, True
        for _ in range(max(self._settings.max_redirects, 0) + 1):
            result = await self._attempts(url, headers, deadline, shards)
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

    async def _attempts(self, url: str, headers: dict, deadline: "_Deadline",
                        shards: ClientShards):
        """One hop, retried after a 5xx or a network failure with exponential backoff.

        A retry whose backoff would run past the total timeout is not made: the error
        that caused it says more than a timeout would.
        """
        retries, backoff = max(self._settings.retries, 0), self._settings.backoff
        for attempt in range(retries + 1):
            try:
                return await self._exchange(url, headers, deadline, shards)
            except _Retry as retry:
                delay = backoff * 2**attempt
                if attempt == retries or not deadline.allows(delay):
                    raise retry.error from None
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _exchange(self, url: str, headers: dict, deadline: "_Deadline",
                        shards: ClientShards):
        """One request: an HttpResponse, or (status, absolute target) for a redirect."""
        parsed = _parse_url(url)
        host = f"{parsed.host}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"
        async with self._limits.slot(host):
            deadline.start()
            with shards.lease(host) as client:
                try:
                    async with client.stream("GET", parsed, headers=headers) as response:
                        return await self._read(url, response, headers)
                except httpx.HTTPError as error:
                    raise _transport_error(error, host, self._settings) from None

    async def _read(self, url: str, response: httpx.Response, sent: dict):
        status, headers = response.status_code, response.headers
        location = headers.get("location")
        if status in REDIRECT_STATUSES and location:
            await self._drain(url, response)
            return status, _redirect_target(url, location)
        error = error_for_status(status, headers, self._clock_ms)
        if error is not None:
            if self._recorder is not None:  # "record what came back", errors included
                await self._drain(url, response, self._settings.max_body_bytes)
            raise _Retry(error) if isinstance(error, ServerError) else error
        if status == 304:
            await self._drain(url, response)
            return HttpResponse(url, 304, b"", headers.get("content-type"),
                                headers.get("etag") or sent.get("If-None-Match"),
                                headers.get("last-modified") or sent.get("If-Modified-Since"),
                                None, 0)
        body, wire = await self._read_body(url, response)
        return HttpResponse(url, status, body, headers.get("content-type"), headers.get("etag"),
                            headers.get("last-modified"), None, wire)

    async def _read_body(self, url: str, response: httpx.Response) -> tuple[bytes, int]:
        cap, headers = self._settings.max_body_bytes, response.headers
        encoding = headers.get("content-encoding")
        if self._recorder is None:
            check_content_length(headers.get("content-length"), cap)
            return await read_body(response.aiter_raw(), encoding, cap)
        received: list[bytes] = []
        try:
            check_content_length(headers.get("content-length"), cap)
            body, wire = await read_body(response.aiter_raw(), encoding, cap, received)
        except FetchError as error:
            await self._record(url, response, b"".join(received),
                               truncated=isinstance(error, BodyTooLargeError))
            raise
        # Without a Content-Encoding the decoded body is the payload as received.
        await self._record(url, response, b"".join(received) if encoding else body)
        return body, wire

    async def _drain(self, url: str, response: httpx.Response, limit: int = 64 * 1024) -> None:
        """Read a small body we do not need, so httpx can put the connection back in the
        pool; a large one is abandoned (the connection closes with the stream). Recorded
        (up to ``limit``) when recording."""
        read, received = 0, []
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if self._recorder is not None:
                received.append(chunk)
            if read > limit:
                break
        if self._recorder is not None:
            await self._record(url, response, b"".join(received)[:limit], truncated=read > limit)

    async def _record(self, url: str, response: httpx.Response, payload: bytes,
                      truncated: bool = False) -> None:
        request = response.request
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        await self._recorder.record(Exchange(
            url=url, target=request.url.raw_path.decode("ascii"),
            request_headers=request.headers.raw, http_version=response.http_version,
            status=response.status_code, reason=response.reason_phrase,
            response_headers=response.headers.raw, payload=payload, date_ms=self._clock_ms(),
            ip=peer[0] if peer else None, truncated=truncated, method=request.method))

    def _make_client(self, connections: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(verify=self._tls, **self._client_options(connections))

    def _make_guarded_client(self, connections: int) -> httpx.AsyncClient:
        options = self._client_options(connections)
        transport = GuardedTransport(self._tls, options.pop("limits"), self._address_check)
        return httpx.AsyncClient(transport=transport, **options)

    def _client_options(self, connections: int) -> dict:
        settings = self._settings
        return dict(
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
