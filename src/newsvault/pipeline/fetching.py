"""Fetch every source concurrently: HTTP in the event loop, parsing on a second core,
and one database writer that commits each source in its own transaction."""

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timezone

from newsvault.clock import now_ms
from newsvault.config import FetchSettings
from newsvault.errors import FeedError, FetchError, GoneError, RateLimitedError
from newsvault.feeds import parse_feed
from newsvault.fetch import HttpFetcher, HttpResponse
from newsvault.model import FetchOutcome, ParsedFeed, Source
from newsvault.store import FetchRecord, SqliteStore

# Below this many sources a worker process costs more to start than it saves.
_PARSE_PROCESS_THRESHOLD = 8

OnOutcome = Callable[[FetchOutcome], None]


def fetch_sources(store: SqliteStore, settings: FetchSettings, sources: list[Source],
                  forced: bool = False, on_outcome: OnOutcome | None = None) -> list[FetchOutcome]:
    """Fetch ``sources`` and store what they carry. One failing source never stops the others.

    ``forced``: the sources were named on the command line, so dead ones are tried again.
    """
    return asyncio.run(_fetch_all(store, settings, sources, forced, on_outcome or (lambda _: None)))


async def _fetch_all(store, settings, sources, forced, on_outcome) -> list[FetchOutcome]:
    with ExitStack() as stack:
        writer = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="store-writer"))
        parser = stack.enter_context(_parse_executor(len(sources)))
        async with HttpFetcher(settings) as fetcher:
            job = _SourceJob(store, fetcher, parser, writer, forced)

            async def run_one(source: Source) -> FetchOutcome:
                try:
                    outcome = await job.run(source)
                except Exception as error:  # a bug must cost one source, not the run
                    outcome = FetchOutcome(source=source.name, status="error",
                                           error=f"internal error: {error!r}")
                on_outcome(outcome)
                return outcome

            return list(await asyncio.gather(*(run_one(source) for source in sources)))


def _parse_executor(source_count: int) -> Executor:
    if source_count >= _PARSE_PROCESS_THRESHOLD and (os.cpu_count() or 1) > 1:
        return ProcessPoolExecutor(max(1, (os.cpu_count() or 2) - 1))
    return ThreadPoolExecutor(1, thread_name_prefix="parser")


class _SourceJob:
    """Fetch, parse and store one source; turn every failure into an outcome with a reason."""

    def __init__(self, store, fetcher, parser, writer, forced):
        self.store, self.fetcher, self.parser, self.writer = store, fetcher, parser, writer
        self.forced = forced

    async def run(self, source: Source) -> FetchOutcome:
        started = now_ms()
        skip_reason = self._skip_reason(source, started)
        if skip_reason:
            return await self._fail(source, started, "skipped", skip_reason)
        try:
            response = await self.fetcher.get(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
        except RateLimitedError as error:
            source.retry_after_ms = error.retry_at_ms
            return await self._fail(source, started, "error", str(error), error.status)
        except GoneError as error:
            source.dead = True
            return await self._fail(source, started, "error", str(error), 410)
        except FetchError as error:
            return await self._fail(source, started, "error", str(error),
                                    getattr(error, "status", None))
        source.dead, source.retry_after_ms = False, None
        if response.not_modified:
            return await self._save(source, started, response, None)
        loop = asyncio.get_running_loop()
        try:
            feed = await loop.run_in_executor(
                self.parser, _parse, response.body, response.url, response.content_type
            )
        except FeedError as error:
            return await self._fail(source, started, "error", str(error), response.status,
                                    response.wire_bytes)
        source.etag, source.last_modified = response.etag, response.last_modified
        return await self._save(source, started, response, feed)

    def _skip_reason(self, source: Source, now: int) -> str | None:
        if source.dead and not self.forced:
            return "dead (410 Gone); skipped until fetched by name with --source"
        if source.retry_after_ms and source.retry_after_ms > now:
            when = datetime.fromtimestamp(source.retry_after_ms / 1000, tz=timezone.utc)
            return f"rate limited by the server; no request before {when:%Y-%m-%d %H:%M:%S} UTC"
        return None

    async def _save(self, source, started, response: HttpResponse, feed: ParsedFeed | None):
        record = FetchRecord(
            started_ms=started, finished_ms=now_ms(),
            status="ok" if feed else "not_modified", http_status=response.status,
            bytes=response.wire_bytes, items=len(feed.entries) if feed else 0,
            moved_to=response.permanent_url,
        )
        loop = asyncio.get_running_loop()
        counts = await loop.run_in_executor(
            self.writer, self.store.save_fetch, source, feed.entries if feed else [], record
        )
        return FetchOutcome(
            source=source.name, status=record.status, http_status=response.status,
            bytes=record.bytes, items=record.items, new=counts.new, updated=counts.updated,
            unchanged=counts.unchanged,
        )

    async def _fail(self, source, started, status, reason, http_status=None, size=0):
        record = FetchRecord(started_ms=started, finished_ms=now_ms(), status=status,
                             http_status=http_status, bytes=size, error=reason)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.writer, self.store.save_fetch_failure, source, record)
        return FetchOutcome(source=source.name, status=status, http_status=http_status,
                            bytes=size, error=reason)


def _parse(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    return parse_feed(body, url=url, content_type=content_type)
