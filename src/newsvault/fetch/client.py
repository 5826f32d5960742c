"""HttpFetcher: GET with limits, timeouts, manual redirects, retries and a body cap; for
URLs from untrusted content, behind the SSRF guard; every response recorded in WARC files
when that is on.

The HTTP engine is aiohttp (its parser is C, its connection pool cheap to ask). Measured
with bench/http_bench.py on 500 bodies of 380 KB from a loopback server, 64 at a time: the
same downloads cost httpx about three times the CPU time in 8 clients of 8 connections,
twenty times in one client of 64; on two cores, where the parsers need the other core,
that CPU was the fetch's bottleneck.
"""

import asyncio
import socket
import ssl
import urllib.request

import aiohttp
import certifi
from yarl import URL

from newsvault.clock import now_ms
from newsvault.config import FetchSettings
from newsvault.errors import (
    BodyTooLargeError,
    ConnectError,
    ConnectTimeoutError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    NetworkError,
    ServerError,
    TooManyRedirectsError,
)
from newsvault.fetch.limits import ACCEPT_ENCODING, RequestLimits, check_content_length, read_body
from newsvault.fetch.netsafe import (
    AddressCheck,
    GuardedResolver,
    blocked_reason,
    check_literal_host,
    check_untrusted_url,
    private_addresses_allowed,
)
from newsvault.fetch.response import (
    PERMANENT_REDIRECT_STATUSES,
    REDIRECT_STATUSES,
    HttpResponse,
    error_for_status,
)
from newsvault.fetch.warc import Exchange, WarcRecorder
from newsvault.links import shown_url

_MAX_HEADER_BYTES = 65_536
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
        self._session: aiohttp.ClientSession | None = None
        self._guarded_session: aiohttp.ClientSession | None = None  # made on first untrusted fetch
        self._tls: ssl.SSLContext | None = None
        self._proxies: dict[str, str] = {}
        self._address_check = address_check
        self._recorder = recorder
        self._owns_recorder = False

    async def __aenter__(self) -> "HttpFetcher":
        self._limits = RequestLimits(self._settings.concurrency, self._settings.per_host)
        # one for both sessions: each costs ~30 ms to build
        self._tls = ssl.create_default_context(cafile=certifi.where())
        # The user's feeds go through the proxy the environment names (http_proxy,
        # https_proxy, no_proxy); read once here, not by aiohttp on every request.
        self._proxies = urllib.request.getproxies_environment()
        self._session = self._new_session(resolver=None)
        if self._recorder is None and self._settings.warc:
            self._recorder = WarcRecorder(self._settings.warc_dir, self._settings.warc_max_bytes,
                                          self._clock_ms).start()
            self._owns_recorder = True
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for session in (self._session, self._guarded_session):
            if session is not None:
                await session.close()
        self._session = self._guarded_session = None
        if self._owns_recorder:
            await asyncio.to_thread(self._recorder.close)
            self._recorder, self._owns_recorder = None, False

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  accept: str | None = None) -> HttpResponse:
        """GET ``url``; a 2xx or 304 comes back, everything else raises a FetchError."""
        return await self._get(url, self._open_session(), False, etag, last_modified, accept)

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
        self._open_session()
        if private_addresses_allowed(self._settings):
            return await self._get(url, self._session, False, etag, last_modified, accept)
        if self._guarded_session is None:
            self._guarded_session = self._new_session(GuardedResolver(self._address_check))
        return await self._get(url, self._guarded_session, True, etag, last_modified, accept)

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("HttpFetcher.get() outside `async with HttpFetcher(...)`")
        return self._session

    async def _get(self, url: str, session: aiohttp.ClientSession, guarded: bool,
                   etag: str | None, last_modified: str | None,
                   accept: str | None) -> HttpResponse:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        total = self._settings.total_timeout
        scope = asyncio.timeout(None)
        job = _Fetch(session, guarded, headers, _Deadline(scope, total))
        try:
            async with scope:
                return await self._follow(url, job)
        except TimeoutError:
            if not scope.expired():
                raise
            raise FetchTimeoutError(f"fetch: timed out after {total:g}s (total)") from None

    async def _follow(self, url: str, job: "_Fetch") -> HttpResponse:
        seen = {url}
        permanent_url, still_permanent = None, True
        for _ in range(max(self._settings.max_redirects, 0) + 1):
            result = await self._attempts(url, job)
            if isinstance(result, HttpResponse):
                result.permanent_url = permanent_url
                return result
            status, target = result
            still_permanent = still_permanent and status in PERMANENT_REDIRECT_STATUSES
            if still_permanent:
                permanent_url = target
            if target in seen:
                raise TooManyRedirectsError(f"fetch: redirect loop at {shown_url(target)}")
            seen.add(target)
            url = target
        raise TooManyRedirectsError(
            f"fetch: too many redirects (more than {self._settings.max_redirects})")

    async def _attempts(self, url: str, job: "_Fetch"):
        """One hop, retried after a 5xx or a network failure with exponential backoff.

        A retry whose backoff would run past the total timeout is not made: the error
        that caused it says more than a timeout would.
        """
        retries, backoff = max(self._settings.retries, 0), self._settings.backoff
        for attempt in range(retries + 1):
            try:
                return await self._exchange(url, job)
            except _Retry as retry:
                delay = backoff * 2**attempt
                if attempt == retries or not job.deadline.allows(delay):
                    raise retry.error from None
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _exchange(self, url: str, job: "_Fetch"):
        """One request: an HttpResponse, or (status, absolute target) for a redirect."""
        target = _parse_url(url)
        host = f"{target.raw_host}:{target.port}"
        if job.guarded:
            check_literal_host(target.raw_host, self._address_check)
        async with self._limits.slot(host):
            job.deadline.start()
            try:
                async with job.session.get(target, headers=job.headers, allow_redirects=False,
                                           proxy=self._proxy_for(target, job)) as response:
                    return await self._read(url, response, job.headers)
            except aiohttp.ClientError as error:
                raise _transport_error(error, host, self._settings) from None

    def _proxy_for(self, target: URL, job: "_Fetch") -> str | None:
        """The environment's proxy for a feed; never one for an untrusted URL, whose
        address could not be checked behind it."""
        if job.guarded or not self._proxies:
            return None
        if urllib.request.proxy_bypass_environment(target.raw_host, self._proxies):
            return None
        return self._proxies.get(target.scheme)

    async def _read(self, url: str, response: aiohttp.ClientResponse, sent: dict):
        status, headers = response.status, response.headers
        # Taken now: once the body is read, aiohttp hands the connection back to its pool
        # and the response no longer knows the peer.
        peer = _peer_address(response)
        location = headers.get("location")
        if status in REDIRECT_STATUSES and location:
            await self._drain(url, response, peer)
            return status, _redirect_target(url, location)
        error = error_for_status(status, headers, self._clock_ms)
        if error is not None:
            if self._recorder is not None:  # "record what came back", errors included
                await self._drain(url, response, peer, self._settings.max_body_bytes)
            raise _Retry(error) if isinstance(error, ServerError) else error
        etag, last_modified = _validator(headers, "etag"), _validator(headers, "last-modified")
        if status == 304:
            await self._drain(url, response, peer)
            if not (sent.get("If-None-Match") or sent.get("If-Modified-Since")):
                raise HTTPStatusError(304, "fetch: the server answered 304 Not Modified to a"
                                           " request that named no version it could match")
            return HttpResponse(url, 304, b"", headers.get("content-type"),
                                etag or sent.get("If-None-Match"),
                                last_modified or sent.get("If-Modified-Since"), None, 0)
        body, wire = await self._read_body(url, response, peer)
        return HttpResponse(url, status, body, headers.get("content-type"), etag, last_modified,
                            None, wire)

    async def _read_body(self, url: str, response: aiohttp.ClientResponse,
                         peer: str | None) -> tuple[bytes, int]:
        cap, headers = self._settings.max_body_bytes, response.headers
        encoding = headers.get("content-encoding")
        chunks = response.content.iter_any()
        if self._recorder is None:
            check_content_length(headers.get("content-length"), cap)
            return await read_body(chunks, encoding, cap)
        received: list[bytes] = []
        try:
            check_content_length(headers.get("content-length"), cap)
            body, wire = await read_body(chunks, encoding, cap, received)
        except FetchError as error:
            await self._record(url, response, peer, b"".join(received),
                               truncated=isinstance(error, BodyTooLargeError))
            raise
        # Without a Content-Encoding the decoded body is the payload as received.
        await self._record(url, response, peer, b"".join(received) if encoding else body)
        return body, wire

    async def _drain(self, url: str, response: aiohttp.ClientResponse, peer: str | None,
                     limit: int = 64 * 1024) -> None:
        """Read a small body we do not need, so that the connection can serve the next
        request; a large one is abandoned (the connection closes with the response).
        Recorded (up to ``limit``) when recording."""
        read, received = 0, []
        async for chunk in response.content.iter_any():
            read += len(chunk)
            if self._recorder is not None:
                received.append(chunk)
            if read > limit:
                break
        if self._recorder is not None:
            await self._record(url, response, peer, b"".join(received)[:limit],
                               truncated=read > limit)

    async def _record(self, url: str, response: aiohttp.ClientResponse, peer: str | None,
                      payload: bytes, truncated: bool = False) -> None:
        request, version = response.request_info, response.version
        await self._recorder.record(Exchange(
            url=url, target=request.url.raw_path_qs,
            request_headers=_raw_headers(request.headers),
            http_version=f"HTTP/{version.major}.{version.minor}",
            status=response.status, reason=response.reason or "",
            response_headers=list(response.raw_headers), payload=payload,
            date_ms=self._clock_ms(), ip=peer, truncated=truncated, method=request.method))

    def _new_session(self, resolver: aiohttp.abc.AbstractResolver | None
                     ) -> aiohttp.ClientSession:
        settings = self._settings
        # The connector's own limit is never reached: RequestLimits keeps the requests
        # in flight to ``concurrency``, and to ``per_host`` for each host.
        connector = aiohttp.TCPConnector(limit=settings.concurrency, ssl=self._tls,
                                         resolver=resolver)
        return aiohttp.ClientSession(
            # trust_env stays off: it would also send ~/.netrc passwords to feed servers
            connector=connector, auto_decompress=False,
            # browsers take response headers of tens of KB (a site's CSP or Link header);
            # aiohttp's 8 KB refused such feeds
            max_line_size=_MAX_HEADER_BYTES, max_field_size=_MAX_HEADER_BYTES,
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout,
                                          sock_read=settings.read_timeout),
        )


class _Fetch:
    """What every request of one fetch shares, redirects and retries included."""

    __slots__ = ("session", "guarded", "headers", "deadline")

    def __init__(self, session: aiohttp.ClientSession, guarded: bool, headers: dict,
                 deadline: "_Deadline"):
        self.session, self.guarded, self.headers, self.deadline = (
            session, guarded, headers, deadline)


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


def _parse_url(url: str) -> URL:
    try:
        parsed = URL(url)
        host, port = parsed.raw_host, parsed.port
    except (ValueError, TypeError) as error:
        raise FetchError(f"fetch: not a valid URL: {shown_url(url)} ({error})") from None
    if parsed.scheme not in ("http", "https") or not host or port is None:
        raise FetchError(f"fetch: not an http(s) URL: {shown_url(url)}")
    return parsed


def _validator(headers, name: str) -> str | None:
    """An ETag or Last-Modified that can be kept and sent back: not one with bytes that
    are not UTF-8 (a GBK date from a PHP site), which aiohttp hands on as surrogates and
    which would fail the source's whole store. Without it the next fetch is a plain GET."""
    value = headers.get(name)
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value if value.isprintable() else None


def _redirect_target(url: str, location: str) -> str:
    try:
        base = URL(url)
        target = base.join(URL(_raw_bytes_encoded(location.strip())))
        valid = bool(target.raw_host)
    except (ValueError, TypeError):
        raise FetchError(f"fetch: redirect to an invalid URL: {shown_url(location)}") from None
    if target.scheme not in ("http", "https") or not valid:
        raise FetchError(f"fetch: redirect to a URL that is not http(s): {shown_url(location)}")
    return str(_without_new_credentials(base, target))


def _without_new_credentials(base: URL, target: URL) -> URL:
    """The target without a user and password that the server put in its Location: they
    would be sent, and kept as the source's URL after a 301/308. The user's own, which a
    relative Location keeps, stay."""
    credentials = (target.raw_user, target.raw_password)
    if credentials in ((None, None), (base.raw_user, base.raw_password)):
        return target
    return target.with_user(None)


def _raw_bytes_encoded(location: str) -> str:
    """A Location whose bytes are not UTF-8 (a GBK path from a Chinese CMS, which aiohttp
    hands on as surrogates) with those bytes percent-encoded, as browsers and curl send
    them; yarl would drop them."""
    try:
        location.encode("utf-8")
        return location
    except UnicodeEncodeError:
        raw = location.encode("utf-8", "surrogateescape")
        return "".join(chr(byte) if byte < 0x80 else f"%{byte:02X}" for byte in raw)


def _peer_address(response: aiohttp.ClientResponse) -> str | None:
    connection = response.connection
    transport = connection.transport if connection is not None else None
    peer = transport.get_extra_info("peername") if transport is not None else None
    return peer[0] if peer else None


def _raw_headers(headers) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1", "replace"), value.encode("latin-1", "replace"))
            for name, value in headers.items()]


def _transport_error(error: aiohttp.ClientError, host: str,
                     settings: FetchSettings) -> Exception:
    """The FetchError for a failure below HTTP, wrapped in _Retry when worth retrying."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return _Retry(ConnectTimeoutError(
            f"fetch: timed out after {settings.connect_timeout:g}s (connect)"))
    if isinstance(error, aiohttp.ServerTimeoutError):
        return FetchTimeoutError(f"fetch: timed out after {settings.read_timeout:g}s (read)")
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return NetworkError(f"fetch: TLS failed with {host} "
                            f"({_tls_reason(error.certificate_error)})")
    if isinstance(error, aiohttp.ClientConnectorSSLError):  # does not heal in a second
        return NetworkError(f"fetch: TLS failed with {host} ({_tls_reason(error.os_error)})")
    if isinstance(error, aiohttp.ClientConnectorError):
        failure = ConnectError(f"fetch: cannot connect to {host} ({_reason(error)})")
        return failure if _name_does_not_exist(error) else _Retry(failure)
    if isinstance(error, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError,
                          aiohttp.ClientOSError)):
        return _Retry(NetworkError(f"fetch: connection to {host} broke off ({_reason(error)})"))
    if isinstance(error, aiohttp.NonHttpUrlClientError):
        return FetchError(f"fetch: not an http(s) URL ({error})")
    if isinstance(error, aiohttp.InvalidUrlClientError):  # e.g. 127.1: not canonical IPv4
        return FetchError(f"fetch: not a valid URL: {error}")
    if isinstance(error, aiohttp.ClientResponseError):  # aiohttp's 400: the server's answer
        return NetworkError(f"fetch: {host} answered what is not valid HTTP "
                            f"({_first_line(error.message)})")
    return NetworkError(f"fetch: request to {host} failed ({error or type(error).__name__})")


def _first_line(message: str, limit: int = 80) -> str:
    """A parser's message, which may quote the whole body, as one short line."""
    line = (message or "").strip().split("\n", 1)[0].strip().rstrip(":")
    return line[:limit] + ("…" if len(line) > limit else "") or "unreadable answer"


def _os_error(error: BaseException) -> BaseException:
    """The OSError that aiohttp's exception wraps (``os_error``, or the cause), or ``error``."""
    inner = getattr(error, "os_error", None) or error.__cause__
    return inner if isinstance(inner, OSError) else error


# The DNS answered that the name does not exist: asking again in a second gets the same
# answer. A temporary failure (EAI_AGAIN: no resolver reachable) is retried.
_NO_SUCH_NAME = frozenset(code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None))
                          if code is not None)


def _name_does_not_exist(error: aiohttp.ClientError) -> bool:
    cause = _os_error(error)
    return isinstance(cause, socket.gaierror) and cause.errno in _NO_SUCH_NAME


def _tls_reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate not trusted: {error.verify_message}"
    return (error.reason or str(error)).replace("_", " ").lower()


def _reason(error: BaseException) -> str:
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "the body ended before its announced end"
    cause = _os_error(error)
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, ConnectionResetError):
        return "connection reset"
    if isinstance(cause, socket.gaierror):
        if cause.errno == socket.EAI_AGAIN:
            return "host name lookup failed for now (DNS temporarily unavailable)"
        return "host name not found"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return str(cause).rstrip(".") or type(cause).__name__
