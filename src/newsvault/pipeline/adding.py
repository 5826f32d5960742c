"""``newsvault add``: accept a feed URL, or a page whose ``<link rel=alternate>`` names one."""

import asyncio
from dataclasses import dataclass

from newsvault.config import FetchSettings
from newsvault.errors import FeedError
from newsvault.feeds import discover_feed_urls, parse_feed
from newsvault.fetch import HttpFetcher


@dataclass
class FoundFeed:
    url: str
    title: str | None


def find_feed(url: str, settings: FetchSettings) -> FoundFeed:
    return asyncio.run(_find_feed(url, settings))


async def _find_feed(url: str, settings: FetchSettings) -> FoundFeed:
    async with HttpFetcher(settings) as fetcher:
        response = await fetcher.get(url)
        try:
            feed = parse_feed(response.body, url=response.url, content_type=response.content_type)
            return FoundFeed(response.permanent_url or url, feed.title)
        except FeedError as not_a_feed:
            candidates = discover_feed_urls(response.body, response.url)
            if not candidates:
                raise FeedError(f"{not_a_feed}; the page names no feed either") from None
        feed_url = candidates[0]
        response = await fetcher.get(feed_url)
        feed = parse_feed(response.body, url=response.url, content_type=response.content_type)
        return FoundFeed(response.permanent_url or feed_url, feed.title)
