"""The images articles show, downloaded into the archive: ``newsvault media``, and the
step ``fetch`` and ``run`` take once the feeds are stored.

1. Scan the articles changed since the last scan for image URLs (content/media.py) and
   record them (article_media; a URL seen for the first time waits as 'pending').
2. Download every image not stored yet that has attempts left: through the SSRF guard
   (an article's HTML is untrusted), a few at a time, each URL once however many articles
   show it, at most ``max_file_mb`` each and, per article, until its images pass
   ``max_article_mb``; at most ``max_per_run`` per run, the newest articles' first (an
   archive that imported years of posts catches up over several runs). Only images are
   kept (sniffed, or an image Content-Type), each file once by its SHA-256
   (content/assets.py).
3. Give the articles whose images were stored a new change_seq: exports and the site then
   write them again with the local copies.

A failure keeps the remote URL in the pages, is reported, and is tried again on a later
run until ``max_attempts``; one that would fail the same way again (blocked address, not an
image, too large) uses them all at once. A host that cannot be reached (its name does not
resolve, it refuses, or its connect times out) is not asked again in the same run: its
other images wait for the next run without losing an attempt; and when the first hosts
tried are all unreachable, the network is taken for down and every image waits, those
tried included (no attempt spent). An archive that was just imported, on a machine
offline, then spends seconds here, not the minutes of timing out on each of a thousand
images.
"""

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from newsvault.clock import now_ms
from newsvault.config import FetchSettings, MediaSettings
from newsvault.content.assets import media_scratch, store_asset
from newsvault.content.imagetype import image_extension
from newsvault.content.media import image_urls, with_picture
from newsvault.errors import (
    BlockedAddressError,
    BodyTooLargeError,
    ConnectError,
    ConnectTimeoutError,
    FetchError,
)
from newsvault.fetch import HttpFetcher
from newsvault.files import scratch_space
from newsvault.store import SqliteStore
from newsvault.store.records import MediaResult
from newsvault.termination import run_async

ACCEPT_IMAGES = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
_SCAN_BATCH = 500
# this many hosts unreachable before any image came through: the network is down
NETWORK_DOWN_AFTER = 5


@dataclass
class MediaReport:
    scanned: int = 0  # articles scanned for images
    downloaded: int = 0  # images stored by this run
    new_files: int = 0  # of which were not in the archive yet (others had the same bytes)
    bytes: int = 0  # downloaded
    failed: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)
    skipped: int = 0  # not tried: their article's images passed max_article_mb
    deferred: int = 0  # not tried: their host (or the network) was unreachable this run
    unreachable: list[str] = field(default_factory=list)  # those hosts
    seconds: float = 0.0

    @property
    def attempted(self) -> int:
        return self.downloaded + len(self.failed)


def download_media(store: SqliteStore, archive_root: Path, media: MediaSettings,
                   fetch: FetchSettings) -> MediaReport:
    """Scan, download and record; see the module's docstring."""
    started = time.perf_counter()
    report = MediaReport(scanned=scan_articles(store))
    pending = store.media_to_download(media.max_attempts, media.max_per_run)
    if pending:
        by_article: dict[int, list[str]] = defaultdict(list)
        for article_id, url in pending:
            by_article[article_id].append(url)
        spent = store.article_media_bytes(list(by_article))
        changed = run_async(_Downloads(store, Path(archive_root), media, fetch, report)
                            .run(by_article, spent))
        store.touch_articles(sorted(changed))
    report.seconds = time.perf_counter() - started
    return report


def scan_articles(store: SqliteStore) -> int:
    """Record the images of the articles changed since the last scan; how many there were."""
    seq, scanned = store.current_seq(), 0
    batch: list[tuple[int, list[str]]] = []
    for article_id, link, html, picture in store.media_scan_rows(store.media_scanned_seq()):
        batch.append((article_id, with_picture(image_urls(html, link), picture, link)))
        scanned += 1
        if len(batch) >= _SCAN_BATCH:
            store.set_article_media(batch)
            batch = []
    store.set_article_media(batch, scanned_seq=seq)
    return scanned


class _Downloads:
    """One run's downloads: each URL fetched once, shared by the articles that show it."""

    def __init__(self, store: SqliteStore, root: Path, media: MediaSettings,
                 fetch: FetchSettings, report: MediaReport):
        self.store, self.root, self.media, self.report = store, root, media, report
        self.fetch = replace(fetch, max_body_bytes=media.max_file_bytes,
                             concurrency=max(fetch.concurrency, media.concurrency))
        self.tasks: dict[str, asyncio.Task] = {}
        self.reached = False  # an image came through this run
        self.unreached: list[MediaResult] = []  # failed to connect: settled at the end

    async def run(self, by_article: dict[int, list[str]], spent: dict[int, int]) -> set[int]:
        """The ids of the articles that got at least one image stored."""
        self.slots = asyncio.Semaphore(self.media.concurrency)
        with scratch_space(media_scratch(self.root)):
            async with HttpFetcher(self.fetch) as fetcher:
                self.fetcher = fetcher
                stored = await asyncio.gather(*(self._article(urls, spent.get(article_id, 0))
                                                for article_id, urls in by_article.items()))
        self._settle_unreached()
        return {article_id for article_id, got in zip(by_article, stored) if got}

    def _settle_unreached(self) -> None:
        """The images whose host could not be reached: failures that cost an attempt, or,
        when the network was down, images that wait like the others."""
        if self._network_down():
            self.report.deferred += len(self.unreached)
            return
        for result in self.unreached:
            self.store.save_media(result, self.media.max_attempts)
            self.report.failed.append((result.url, result.error))

    async def _article(self, urls: list[str], spent: int) -> bool:
        """One article's images, one after the other so that its budget holds."""
        got = False
        for url in urls:
            if spent >= self.media.max_article_bytes and url not in self.tasks:
                self.report.skipped += 1
                continue
            if url not in self.tasks:
                self.tasks[url] = asyncio.create_task(self._download(url))
            result = await self.tasks[url]
            if result.ok:
                spent += result.bytes
                got = True
        return got

    async def _download(self, url: str) -> MediaResult:
        host = _host(url)
        async with self.slots:
            if self._network_down() or host in self.report.unreachable:
                self.report.deferred += 1  # no attempt spent: tried first next run
                return MediaResult(url, now_ms(), error="not tried: host unreachable")
            try:
                result = await self._fetch(url)
            except (ConnectError, ConnectTimeoutError) as error:
                return self._hold_unreached(url, host, error)
        self.store.save_media(result, self.media.max_attempts)
        if result.ok:
            self.reached = True
            self.report.downloaded += 1
            self.report.bytes += result.bytes
        else:
            self.report.failed.append((url, result.error))
        return result

    def _hold_unreached(self, url: str, host: str, error: Exception) -> MediaResult:
        """A failure settled at the end of the run (see _settle_unreached)."""
        if host not in self.report.unreachable:
            self.report.unreachable.append(host)
        result = MediaResult(url, now_ms(), error=_reason(error))
        self.unreached.append(result)
        return result

    def _network_down(self) -> bool:
        return not self.reached and len(self.report.unreachable) >= NETWORK_DOWN_AFTER

    async def _fetch(self, url: str) -> MediaResult:
        try:
            response = await self.fetcher.get_untrusted(url, accept=ACCEPT_IMAGES)
        except (ConnectError, ConnectTimeoutError):
            raise  # the host's, not the image's: _download's to handle
        except (BlockedAddressError, BodyTooLargeError) as error:
            return MediaResult(url, now_ms(), error=_reason(error), permanent=True)
        except FetchError as error:
            return MediaResult(url, now_ms(), error=_reason(error))
        except Exception as error:  # a bug must cost one image, not the run
            return MediaResult(url, now_ms(), error=f"internal error: {error!r}")
        extension = image_extension(response.body, response.content_type)
        if extension is None:
            kind = (response.content_type or "no Content-Type").split(";")[0]
            return MediaResult(url, now_ms(), content_type=response.content_type,
                               error=f"not an image ({kind})", permanent=True)
        try:
            sha256, path, new = await asyncio.to_thread(store_asset, self.root, response.body,
                                                        extension)
        except OSError as error:  # a full disk: tried again next run
            return MediaResult(url, now_ms(), error=f"cannot store it: {error}")
        self.report.new_files += new
        return MediaResult(url, now_ms(), sha256=sha256, path=path, bytes=len(response.body),
                           content_type=response.content_type)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _reason(error: Exception) -> str:
    return str(error).removeprefix("fetch: ")
