"""Shared by the feed tests: read a fixture from testdata/ and parse it."""

from pathlib import Path

from newsvault.feeds import parse_feed
from newsvault.model import ParsedFeed

TESTDATA = Path(__file__).parent / "testdata"
FEED_URL = "https://feed.example.com/dir/feed.xml"


def fixture_bytes(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def parse_fixture(name: str, content_type: str | None = None, url: str = FEED_URL) -> ParsedFeed:
    return parse_feed(fixture_bytes(name), url=url, content_type=content_type)


def titles(feed: ParsedFeed) -> list[str]:
    return [entry.title for entry in feed.entries]
