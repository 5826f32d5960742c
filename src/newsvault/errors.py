"""The error hierarchy: one base, one branch per stage.

Messages are for people: each says what happened and, where it helps, what to do.
They are prefixed with the stage's name ("fetch: ...", "parser: ...").
"""


class NewsvaultError(Exception):
    """Base of every error newsvault raises on purpose."""


class ConfigError(NewsvaultError):
    """newsvault.toml or a command line is wrong; the message says what to fix (exit 2)."""


class ArchiveLockedError(NewsvaultError):
    """Another fetch/run works on this archive (exit 3)."""


class FetchError(NewsvaultError):
    """An HTTP fetch failed."""


class HTTPStatusError(FetchError):
    def __init__(self, status: int, message: str | None = None):
        self.status = status
        super().__init__(message or f"fetch: unexpected HTTP status {status}")


class NotFoundError(HTTPStatusError):
    def __init__(self, status: int = 404):
        super().__init__(status, f"fetch: not found ({status} status code); check the URL")


class GoneError(HTTPStatusError):
    """410: the source is dead; later runs skip it."""

    def __init__(self):
        super().__init__(410, "fetch: gone (410 status code); the source is marked dead")


class RateLimitedError(HTTPStatusError):
    """429, or 503 with Retry-After: no request before ``retry_at`` (epoch ms, or None)."""

    def __init__(self, status: int, retry_at_ms: int | None):
        self.retry_at_ms = retry_at_ms
        reason = "too many requests" if status == 429 else "service unavailable"
        super().__init__(status, f"fetch: {reason} ({status} status code)")


class ServerError(HTTPStatusError):
    def __init__(self, status: int):
        super().__init__(status, f"fetch: server error ({status} status code)")


class TooManyRedirectsError(FetchError):
    pass


class BodyTooLargeError(FetchError):
    pass


class FetchTimeoutError(FetchError):
    pass


class ConnectTimeoutError(FetchTimeoutError):
    """The host did not accept a connection in time: its other URLs would wait as long."""


class NetworkError(FetchError):
    pass


class ConnectError(NetworkError):
    """No connection to the host at all (its name does not resolve, or it refuses): its
    other URLs would fail the same way, for now."""


class BlockedAddressError(FetchError):
    """A URL from untrusted content that must not be fetched: not http(s), or its host is
    a private, loopback, link-local... address (the SSRF guard, fetch/netsafe.py)."""


class FeedError(NewsvaultError):
    """The body could not be read as a feed (HTML page, empty, unknown format)."""


class ImportError_(NewsvaultError):
    """A post file could not be imported (kept out of the archive, listed with its reason)."""


class SearchQueryError(ConfigError):
    """A search query has nothing to search for, is too long, or names an unknown source
    (exit 2; a 400 from the search API)."""
