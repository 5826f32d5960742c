"""``newsvault add``: accept a feed URL, or a page whose ``<link rel=alternate>`` names one."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from newsvault.config import FetchSettings
from newsvault.errors import FeedError, FetchError
from newsvault.feeds import discover_feed_urls, parse_feed
from newsvault.fetch import HttpFetcher
from newsvault.links import shown_url
from newsvault.termination import run_async


@dataclass
class FoundFeed:
    url: str
    title: str | None


def find_feed(url: str, settings: FetchSettings) -> FoundFeed:
    return run_async(_find_feed(url, settings))


async def _find_feed(url: str, settings: FetchSettings) -> FoundFeed:
    async with HttpFetcher(settings) as fetcher:
        response = await fetcher.get(url)
        try:
            feed = parse_feed(response.body, url=response.url, content_type=response.content_type)
            return FoundFeed(response.permanent_url or url, feed.title)
        except FeedError:
            candidates = discover_feed_urls(response.body, response.url)
            if not candidates:
                raise FeedError(f"{shown_url(url)} is not a feed, and the page names none"
                                ' (no <link rel="alternate"> to an RSS, Atom or JSON feed)'
                                ) from None
        return await _first_readable(fetcher, url, candidates)


async def _first_readable(fetcher: HttpFetcher, page_url: str, candidates: list[str]) -> FoundFeed:
    """The first of the feeds a page names that can be fetched and read. A feed on another
    host than the page the user named is a URL the page's content chose: fetched behind
    the guard that keeps such URLs off private and loopback addresses."""
    failures = []
    page_host = urlsplit(page_url).hostname
    for feed_url in candidates:
        get = fetcher.get if urlsplit(feed_url).hostname == page_host else fetcher.get_untrusted
        try:
            response = await get(feed_url)
            feed = parse_feed(response.body, url=response.url,
                              content_type=response.content_type)
        except (FeedError, FetchError) as error:
            failures.append(f"{shown_url(feed_url)}: {error}")
            continue
        return FoundFeed(response.permanent_url or feed_url, feed.title)
    raise FeedError(f"the page {shown_url(page_url)} names {len(candidates)} feed(s), and none"
                    " could be read: " + "; ".join(failures))
