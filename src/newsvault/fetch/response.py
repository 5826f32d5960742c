"""What a fetch returns, and what each HTTP status means for it."""

import email.utils
import http
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timezone

from newsvault.errors import (
    FetchError,
    GoneError,
    HTTPStatusError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})


@dataclass(slots=True)
class HttpResponse:
    url: str  # final URL after redirects
    status: int  # 200 (or another 2xx) or 304
    body: bytes  # decompressed; b"" for 304
    content_type: str | None
    etag: str | None
    last_modified: str | None
    # Set when the chain began with 301/308 redirect(s): the URL to store instead of the
    # requested one (the target of the last consecutive permanent redirect from the start).
    permanent_url: str | None
    wire_bytes: int  # body bytes as received, before decompression

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def error_for_status(status: int, headers: Mapping[str, str],
                     clock_ms: Callable[[], int]) -> FetchError | None:
    """The error a final (non-redirect) status stands for, or None for 2xx and 304.

    A :class:`ServerError` is worth retrying; every other error is final.
    """
    if status == 206:  # no Range was asked for: a part of the feed is no feed
        return HTTPStatusError(206, "fetch: the server sent part of the feed (206 Partial"
                                    " Content) to a request for all of it")
    if 200 <= status < 300 or status == 304:
        return None
    if status == 404:
        return NotFoundError()
    if status == 410:
        return GoneError()
    retry_at_ms = retry_after_ms(headers.get("retry-after"), clock_ms)
    if status == 429:
        return RateLimitedError(429, retry_at_ms)
    if status == 503 and retry_at_ms is not None and retry_at_ms > clock_ms():
        return RateLimitedError(503, retry_at_ms)  # (now or past: retried, as without one)
    if status >= 500:
        return ServerError(status)
    if status in REDIRECT_STATUSES:
        return HTTPStatusError(status, f"fetch: redirect ({status} status code) without a Location")
    return HTTPStatusError(status, _plain_message(status))


MAX_RETRY_AFTER_MS = 24 * 3_600_000  # a day: the next hourly runs ask again after it


def retry_after_ms(value: str | None, clock_ms: Callable[[], int]) -> int | None:
    """Retry-After (delay in seconds, or an HTTP-date) as epoch milliseconds, at most
    ``MAX_RETRY_AFTER_MS`` ahead: a server that says "in ten years" (or more than a date
    can hold) must not switch a source off for good."""
    if not value:
        return None
    value, now = value.strip(), clock_ms()
    if value.isascii() and value.isdigit():
        return now + min(int(value) * 1000, MAX_RETRY_AFTER_MS)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000": the RFC's way of saying UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return min(round(moment.timestamp() * 1000), now + MAX_RETRY_AFTER_MS)


def _plain_message(status: int) -> str | None:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        return None  # HTTPStatusError's own "unexpected HTTP status N"
    return f"fetch: {phrase.lower()} ({status} status code)"
