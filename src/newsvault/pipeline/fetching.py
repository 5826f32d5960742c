"""Fetch every source concurrently: HTTP in the event loop; parsing and storing in the
archive's writers (pipeline/archiver.py), one process per core when there are many sources."""

import asyncio
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

from newsvault.clock import now_ms
from newsvault.config import FetchSettings
from newsvault.content.rules import ExtractRules
from newsvault.errors import FetchError, GoneError, RateLimitedError
from newsvault.fetch import HttpFetcher, HttpResponse
from newsvault.model import FetchOutcome, Source
from newsvault.pipeline.archiver import BATCH_LIMIT, Archiver, Fetched
from newsvault.pipeline.fulltext import PageCounts, add_page_counts, fetch_full_text
from newsvault.store import FetchRecord, SqliteStore
from newsvault.termination import run_async

# Below this many sources a writer process costs more to start than it saves.
_PROCESS_THRESHOLD = 8
_MAX_WRITERS = 4

OnOutcome = Callable[[FetchOutcome], None]


def fetch_sources(store: SqliteStore, settings: FetchSettings, sources: list[Source],
                  forced: bool = False, on_outcome: OnOutcome | None = None,
                  extract_rules: dict[str, ExtractRules] | None = None) -> list[FetchOutcome]:
    """Fetch ``sources`` and store what they carry; then the pages of their new and changed
    items that want theirs (each source's ``full_text``). One failing source or page never
    stops the others.

    ``forced``: the sources were named on the command line, so dead ones are tried again.
    ``extract_rules``: per source name, the selectors that override the extractor.
    """
    return run_async(_fetch_all(store, settings, sources, forced, on_outcome or (lambda _: None),
                                extract_rules or {}))


async def _fetch_all(store, settings, sources, forced, on_outcome, rules) -> list[FetchOutcome]:
    # Bodies fetched but not yet stored are held in memory: bound how many there are.
    in_flight = asyncio.Semaphore(settings.concurrency + BATCH_LIMIT)
    writers = _writer_processes(len(sources))
    async with HttpFetcher(settings) as fetcher:
        async with Archiver(store.path, writers) as archiver:
            job = _SourceJob(fetcher, archiver, forced, settings.timezone)

            async def run_one(source: Source) -> FetchOutcome:
                try:
                    async with in_flight:
                        outcome = await job.run(source)
                except Exception as error:  # a bug must cost one source, not the run
                    outcome = FetchOutcome(source=source.name, status="error",
                                           error=f"internal error: {error!r}")
                on_outcome(outcome)
                return outcome

            outcomes = list(await asyncio.gather(*(run_one(source)
                                                   for source in by_host_in_turn(sources))))
        # every feed is stored now (the writers have stopped): the pages they asked for
        if any(source.full_text != "never" for source in sources):
            await _full_text(store, fetcher, sources, rules, settings, outcomes)
    return outcomes


def by_host_in_turn(sources: list[Source]) -> list[Source]:
    """The sources taking turns by host: the first of each host, then the second...

    A source holds its place in ``in_flight`` while it waits for its host's slot, and
    places are taken in order: in the order of newsvault.toml, 60 RSSHub routes ahead of
    one other outlet would hold every place while they wait for their host, one by one."""
    hosts: dict[str, list[Source]] = {}
    for source in sources:
        hosts.setdefault(_host_of(source.url), []).append(source)
    queues = list(hosts.values())
    return [queue[turn] for turn in range(max(map(len, queues), default=0))
            for queue in queues if turn < len(queue)]


def _host_of(url: str) -> str:
    """host:port, as the fetcher's per-host limit counts them."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a port: the fetch will say so
        port = 0
    return f"{parts.hostname}:{port}"


async def _full_text(store, fetcher, sources, rules, settings, outcomes) -> None:
    """The pages; a failure of the whole step (the store, say) is told on every source,
    whose feeds are stored already."""
    try:
        counts = await fetch_full_text(store, fetcher, sources, rules, settings)
    except Exception as error:  # noqa: BLE001
        counts = {source.name: PageCounts(failed=1, first_error=f"the full-text step stopped: {error}")
                  for source in sources if source.full_text != "never"}
    add_page_counts(outcomes, counts)


def _writer_processes(source_count: int) -> int:
    """Parsing and storing take more CPU than HTTP: on a machine with several cores, as
    many writer processes as cores (the event loop mostly waits on the network)."""
    cores = os.cpu_count() or 1
    if source_count < _PROCESS_THRESHOLD or cores < 2:
        return 0
    return min(cores, _MAX_WRITERS)


class _SourceJob:
    """Fetch one source and hand the result to the writer; every failure becomes an
    outcome with a reason."""

    def __init__(self, fetcher: HttpFetcher, archiver: Archiver, forced: bool, local_zone: str):
        self.fetcher, self.archiver, self.forced = fetcher, archiver, forced
        self.local_zone = local_zone  # the archive's time zone, for dates that name none

    async def run(self, source: Source) -> FetchOutcome:
        started = now_ms()
        skip_reason = self._skip_reason(source, started)
        if skip_reason:
            gone = 410 if source.dead and not self.forced else None
            return await self._fail(source, started, "skipped", skip_reason, gone)
        try:
            response = await self._get(source)
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
        record = FetchRecord(
            started_ms=started, finished_ms=now_ms(),
            status="not_modified" if response.not_modified else "ok",
            http_status=response.status, bytes=response.wire_bytes,
            moved_to=response.permanent_url,
        )
        return await self.archiver.archive(Fetched(
            source, record, body=None if response.not_modified else response.body,
            url=response.url, content_type=response.content_type,
            etag=response.etag, last_modified=response.last_modified,
            local_zone=self.local_zone,
        ))

    async def _get(self, source: Source) -> HttpResponse:
        """The source's feed; where a permanent redirect moved the source and its new URL
        is not found (404) or gone (410), the URL in newsvault.toml again, which the
        source goes back to when it answers."""
        try:
            return await self.fetcher.get(source.url, etag=source.etag,
                                          last_modified=source.last_modified)
        except FetchError as error:
            if source.configured_url is None or getattr(error, "status", None) not in (404, 410):
                raise
        response = await self.fetcher.get(source.configured_url)
        return replace(response, permanent_url=response.permanent_url or source.configured_url)

    def _skip_reason(self, source: Source, now: int) -> str | None:
        if source.dead and not self.forced:
            return "dead (410 Gone); skipped until fetched by name with --source"
        if source.retry_after_ms and source.retry_after_ms > now:
            when = datetime.fromtimestamp(source.retry_after_ms / 1000, tz=timezone.utc)
            return f"rate limited by the server; no request before {when:%Y-%m-%d %H:%M:%S} UTC"
        return None

    async def _fail(self, source, started, status, reason, http_status=None):
        record = FetchRecord(started_ms=started, finished_ms=now_ms(), status=status,
                             http_status=http_status, error=reason)
        return await self.archiver.archive(Fetched(source, record))
