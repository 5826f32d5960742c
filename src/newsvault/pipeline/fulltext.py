"""The full-text step of a fetch: once the feeds are stored, fetch the pages of the new and
changed articles that want theirs (queued by the writers, see writer.pages_wanted),
extract their main content (content/extract.py) and keep it, with the page as fetched.

Pages go through the feeds' own HttpFetcher: the same limits (requests in flight, per
host), timeouts, body cap, retries and User-Agent. A page that fails keeps the feed's
content; network errors are tried again on the next runs (a few times), others are not.
"""

import asyncio
import os
import zlib
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from multiprocessing import get_context
from urllib.parse import urlsplit

from newsvault.clock import now_ms
from newsvault.config import FetchSettings, SourceSettings
from newsvault.content.rules import ExtractError, ExtractRules
from newsvault.content.summary import page_is_better
from newsvault.errors import (
    FetchError,
    FetchTimeoutError,
    NetworkError,
    RateLimitedError,
    ServerError,
)
from newsvault.fetch import HttpFetcher, HttpResponse
from newsvault.model import FetchOutcome, Source
from newsvault.store import SqliteStore
from newsvault.store.records import PageJob, PageResult
from newsvault.workers import exit_with_parent

SAVE_BATCH = 32  # pages per commit
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Extraction takes 8 ms (a 6 KB page) to 70 ms (150 KB) of CPU. Below this many pages a
# thread does it, beside the event loop; from it on, a process per core. Measured with
# bench/extract_bench.py on a shared 2-core VM: the pool (whose processes each import the HTTP client
# and trafilatura) was slower than the thread at 40 and 200 small pages and at 100 pages
# of 150 KB (16.0 s against 11.5 s); it is kept for a first run over hundreds of pages.
_PROCESS_THRESHOLD = 256
_MAX_PROCESSES = 4
_RETRIED = (FetchTimeoutError, NetworkError, ServerError)
UNREACHABLE_AFTER = 3  # network failures in a row after which a site's pages wait a run


@dataclass(slots=True)
class PageCounts:
    """One source's pages in this run."""

    shown: int = 0  # articles now shown with their page's content
    kept_feed: int = 0  # fetched, but the feed's content was as full
    failed: int = 0
    first_error: str | None = None


@dataclass(slots=True)
class _Extracted:
    html: str | None
    raw_z: bytes | None
    error: str | None = None


def extract_rules(sources: Iterable[SourceSettings]) -> dict[str, ExtractRules]:
    """Each source's rules from newsvault.toml, by name."""
    return {source.name: ExtractRules(source.content_selector, tuple(source.remove_selectors))
            for source in sources}


async def fetch_full_text(store: SqliteStore, fetcher: HttpFetcher, sources: list[Source],
                          rules: dict[str, ExtractRules], settings: FetchSettings
                          ) -> dict[str, PageCounts]:
    """Fetch, extract and store the queued pages of ``sources``; counts by source name."""
    wanted = [source for source in sources if source.full_text != "never" and source.id]
    jobs = store.page_jobs([source.id for source in wanted]) if wanted else []
    if not jobs:
        return {}
    step = _FullTextStep(store, fetcher, {source.id: source for source in sources}, rules,
                         len(jobs), settings.per_host)
    in_flight = asyncio.Semaphore(settings.concurrency + SAVE_BATCH)  # bounds pages in memory

    async def run_one(job: PageJob) -> None:
        async with in_flight:
            try:
                result = await step.run(job)
            except Exception as error:  # noqa: BLE001 - a bug costs one page, not the run
                result = PageResult(job, "failed", now_ms(), error=f"internal error: {error!r}")
        await step.keep(result)

    async with step:
        await asyncio.gather(*(run_one(job) for job in jobs))
    return step.counts


def add_page_counts(outcomes: list[FetchOutcome], counts: dict[str, PageCounts]) -> None:
    for outcome in outcomes:
        count = counts.get(outcome.source)
        if count is not None:
            outcome.pages, outcome.pages_failed = count.shown, count.failed
            outcome.page_error = count.first_error


class _FullTextStep:
    """Use as ``async with``: the extraction workers, and the last batch saved at the end."""

    def __init__(self, store: SqliteStore, fetcher: HttpFetcher, sources: dict[int, Source],
                 rules: dict[str, ExtractRules], pages: int, per_host: int):
        self.store, self.fetcher, self.sources, self.rules = store, fetcher, sources, rules
        self._pages, self._per_host = pages, per_host
        # the fetcher's own per-host limit, taken here too, so that a page waits for its
        # turn before it looks whether its site asked to wait (429/503 Retry-After)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.counts: dict[str, PageCounts] = {}
        self._batch: list[PageResult] = []
        self._store_lock = asyncio.Lock()  # one store call at a time, off the event loop
        self._rate_limited: dict[str, int] = {}  # host → no request before (epoch ms)
        self._network_failures: dict[str, int] = {}  # host → network failures in a row
        self._executor: Executor | None = None

    async def __aenter__(self) -> "_FullTextStep":
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._batch:
            await self._save(self._batch)
            self._batch = []
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    async def run(self, job: PageJob) -> PageResult:
        source = self.sources[job.source_id]
        if source.full_text == "never":
            return PageResult(job, "feed")
        host = _host(job.url)
        started = now_ms()
        async with self._hosts.setdefault(host, asyncio.Semaphore(self._per_host)):
            fetched = await self._fetch(job, host, started)
        if isinstance(fetched, PageResult):
            return fetched
        return await self._extracted(job, source, fetched, started)

    async def _fetch(self, job: PageJob, host: str, started: int) -> HttpResponse | PageResult:
        if self._rate_limited.get(host, 0) > now_ms():
            return PageResult(job, "failed", started, error="fetch: rate limited by the server",
                              retry=True)
        if self._network_failures.get(host, 0) >= UNREACHABLE_AFTER:
            # a site that cannot be reached (no DNS answer, no connection) is given up for
            # this run: a first fetch may queue thousands of its pages, each a timeout
            return PageResult(job, "failed", started, retry=True,
                              error=f"fetch: {host} unreachable in this run")
        try:
            response = await fetch_page(self.fetcher, job)
            self._network_failures.pop(host, None)
            return response
        except (NetworkError, FetchTimeoutError) as error:
            self._network_failures[host] = self._network_failures.get(host, 0) + 1
            return PageResult(job, "failed", started, error=str(error), retry=True)
        except RateLimitedError as error:
            self._rate_limited[host] = error.retry_at_ms or started
            return PageResult(job, "failed", started, http_status=error.status,
                              error=str(error), retry=True)
        except FetchError as error:
            return PageResult(job, "failed", started, http_status=getattr(error, "status", None),
                              error=str(error), retry=isinstance(error, _RETRIED))

    async def _extracted(self, job: PageJob, source: Source, response: HttpResponse,
                         fetched_ms: int) -> PageResult:
        page, url, content_type = response.body, response.url, response.content_type
        if response.not_modified:
            async with self._store_lock:
                kept = await asyncio.to_thread(self.store.stored_page, job.article_id)
            if kept is None:
                return PageResult(job, "failed", fetched_ms, http_status=304, retry=False,
                                  error="fetch: 304 Not Modified, but no page was kept")
            page, url, content_type = kept.raw_html, kept.final_url, kept.content_type
        if not _is_html(content_type):
            return PageResult(job, "failed", fetched_ms, http_status=response.status,
                              error=f"extract: not an HTML page (Content-Type: {content_type})")
        rules = self.rules.get(source.name, ExtractRules())
        extracted = await self._extract(page, url, rules, _charset(content_type), job.title,
                                        compress=not response.not_modified)
        if extracted.error is not None:
            return PageResult(job, "failed", fetched_ms, http_status=response.status,
                              error=f"extract: {extracted.error}")
        shown = extracted.html if page_is_better(job.content_html, extracted.html,
                                                 source.full_text) else None
        return PageResult(job, "page", fetched_ms, final_url=url, http_status=response.status,
                          content_type=content_type, etag=response.etag,
                          last_modified=response.last_modified, raw_z=extracted.raw_z,
                          fulltext_html=shown)

    async def _extract(self, *args, compress: bool) -> _Extracted:
        if self._executor is None:
            self._executor = _extraction_executor(self._pages)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, extract_page, *args, compress)

    async def keep(self, result: PageResult) -> None:
        self._count(result)
        self._batch.append(result)
        if len(self._batch) >= SAVE_BATCH:
            batch, self._batch = self._batch, []
            await self._save(batch)

    async def _save(self, batch: list[PageResult]) -> None:
        async with self._store_lock:
            await asyncio.to_thread(self.store.save_pages, batch)

    def _count(self, result: PageResult) -> None:
        if result.kind == "feed":
            return
        counts = self.counts.setdefault(self.sources[result.job.source_id].name, PageCounts())
        if result.kind == "failed":
            counts.failed += 1
            counts.first_error = counts.first_error or result.error
        elif result.fulltext_html is not None:
            counts.shown += 1
        else:
            counts.kept_feed += 1


async def fetch_page(fetcher: HttpFetcher, job: PageJob) -> HttpResponse:
    """GET an article's page: the one place where a URL taken from a feed is requested.

    The URL is untrusted (any feed may name any address): it goes through the SSRF guard,
    on this URL and on every redirect it takes (a blocked one is a failed page).
    """
    return await fetcher.get_untrusted(job.url, etag=job.etag, last_modified=job.last_modified,
                             accept=PAGE_ACCEPT)


def extract_page(page: bytes, url: str, rules: ExtractRules, charset: str | None,
                 title: str, compress: bool) -> _Extracted:
    """In an extraction worker: the article's HTML, and the page compressed for the store."""
    from newsvault.content.extract import extract_article  # see content/rules.py

    raw_z = zlib.compress(page, 6) if compress else None
    try:
        return _Extracted(extract_article(page, url, rules, charset, title), raw_z)
    except ExtractError as error:
        return _Extracted(None, raw_z, str(error))
    except Exception as error:  # noqa: BLE001 - a page that breaks the extractor costs itself
        return _Extracted(None, raw_z, f"internal error: {error!r}")


def _extraction_executor(pages: int) -> Executor:
    cores = os.cpu_count() or 1
    if pages < _PROCESS_THRESHOLD or cores < 2:
        return ThreadPoolExecutor(1, thread_name_prefix="newsvault-extract")
    return ProcessPoolExecutor(min(cores, _MAX_PROCESSES), mp_context=get_context("spawn"),
                               initializer=exit_with_parent, initargs=(os.getpid(),))


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _is_html(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in ("", "text/html", "application/xhtml+xml")


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    return message.get_param("charset")


