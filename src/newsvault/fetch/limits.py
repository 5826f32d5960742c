"""The limits a fetch keeps: requests in flight (all hosts, and per host) and body size."""

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from newsvault.errors import BodyTooLargeError, FetchError

ACCEPT_ENCODING = "gzip, deflate"  # br is not offered: no brotli decoder can cap its output


class RequestLimits:
    """At most ``concurrency`` requests in flight, and ``per_host`` to one host:port."""

    def __init__(self, concurrency: int, per_host: int):
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, host: str):
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self._per_host)
        # The host first: a request queued behind a busy host must not hold a global slot
        # that a request to an idle host could use.
        async with self._hosts[host], self._global:
            yield


def check_content_length(value: str | None, cap: int) -> None:
    """Fail before reading a body whose announced size is over the cap."""
    if value and value.strip().isdigit() and int(value) > cap:
        raise body_too_large(cap)


async def read_body(chunks: AsyncIterator[bytes], content_encoding: str | None,
                    cap: int, received: list[bytes] | None = None) -> tuple[bytes, int]:
    """Read and decode a body, failing as soon as either the wire bytes or the decoded
    bytes pass ``cap``; returns (decoded body, wire bytes). ``received``, when given,
    collects the chunks as they came (for a WARC record), also when reading fails."""
    decoder = _decoder(content_encoding)
    parts: list[bytes] = []
    wire = size = 0
    async for chunk in chunks:
        if received is not None:
            received.append(chunk)
        wire += len(chunk)
        if wire > cap:
            raise body_too_large(cap)
        size += _keep(parts, decoder.decode(chunk, cap - size + 1), size, cap)
    _keep(parts, decoder.flush(cap - size + 1), size, cap)
    return b"".join(parts), wire


def _keep(parts: list[bytes], data: bytes, size: int, cap: int) -> int:
    if size + len(data) > cap:
        raise body_too_large(cap)
    if data:
        parts.append(data)
    return len(data)


def body_too_large(cap: int) -> BodyTooLargeError:
    return BodyTooLargeError(f"fetch: response body too large (over {_size(cap)})")


def body_cut_short() -> FetchError:
    return FetchError("fetch: the response ended before its compressed body did (truncated)")


def _size(count: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


class _Identity:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data

    def flush(self, limit: int) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate, never producing more than ``limit`` bytes from one call, so that a
    gzip bomb is stopped after at most the cap, not after a whole chunk's worth."""

    def __init__(self, coding: str):
        self._coding = coding
        self._wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False
        self._head = b""  # deflate's first byte, held until the zlib header can be checked

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._coding == "deflate" and not self._started:
            # zlib tells its header from raw deflate only once it has both header bytes.
            data, self._head = self._head + data, b""
            if len(data) < 2:
                self._head = data
                return b""
        try:
            out = self._decompress(data, limit)
        except zlib.error as error:
            if self._coding != "deflate" or self._started:
                raise FetchError(
                    f"fetch: cannot decompress the body ({self._coding}): {error}") from None
            # Some servers send raw deflate without the zlib header the RFC asks for.
            self._wbits = -zlib.MAX_WBITS
            self._inflate = zlib.decompressobj(self._wbits)
            return self.decode(data, limit)
        self._started = self._started or bool(data)
        return out

    def _decompress(self, data: bytes, limit: int) -> bytes:
        out = self._inflate.decompress(data, limit)
        # A gzip body may hold several members; each needs a fresh decompressor.
        while self._inflate.eof and self._inflate.unused_data and len(out) < limit:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(self._wbits)
            out += self._inflate.decompress(rest, limit - len(out))
        return out

    def flush(self, limit: int) -> bytes:
        out = self._inflate.decompress(self._inflate.unconsumed_tail, limit)
        if len(out) < limit:
            out += self._inflate.flush()
            # Without its end, the body is a prefix: storing it would archive cut-off items.
            if not self._inflate.eof and (self._started or self._head):
                raise body_cut_short()
        return out


class _Chain:
    """Several codings: the last one applied is undone first."""

    def __init__(self, decoders: list):
        self._decoders = decoders

    def decode(self, data: bytes, limit: int) -> bytes:
        for decoder in self._decoders:
            data = decoder.decode(data, limit)
        return data

    def flush(self, limit: int) -> bytes:
        data = b""
        for decoder in self._decoders:
            data = decoder.decode(data, limit) + decoder.flush(limit)
        return data


def _decoder(content_encoding: str | None):
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    decoders = []
    for coding in reversed(codings):
        coding = {"x-gzip": "gzip"}.get(coding, coding)
        if coding not in ("gzip", "deflate"):
            raise FetchError(f"fetch: cannot decode the body (Content-Encoding: {coding})")
        decoders.append(_Zlib(coding))
    if not decoders:
        return _Identity()
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)
