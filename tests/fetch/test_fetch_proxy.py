"""The proxy the environment names (http_proxy, no_proxy): feeds go through it, pages and
images from untrusted content never do (behind a proxy their address cannot be checked)."""

import asyncio

import pytest

from newsvault.config import FetchSettings
from newsvault.errors import FetchError
from newsvault.fetch import HttpFetcher
from newsvault.fetch.netsafe import ALLOW_PRIVATE_ENV

pytestmark = pytest.mark.timeout(30)

FEED = "http://feeds.example/feed.xml"  # resolves nowhere: only a proxy can answer it


def fetch(url: str, untrusted: bool = False):
    async def go():
        settings = FetchSettings(connect_timeout=1.0, read_timeout=2.0, retries=0)
        async with HttpFetcher(settings) as fetcher:
            try:
                return await (fetcher.get_untrusted if untrusted else fetcher.get)(url)
            except FetchError as error:
                return error

    return asyncio.run(go())


@pytest.fixture
def proxy(feed_server, monkeypatch):
    """The loopback server plays the proxy: it answers the absolute-form request."""
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", ALLOW_PRIVATE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", f"http://{feed_server.host}")
    feed_server.route(FEED, body=b"<rss>via the proxy</rss>")
    return feed_server


def test_a_feed_goes_through_the_environments_proxy(proxy):
    response = fetch(FEED)
    assert response.body == b"<rss>via the proxy</rss>"
    assert proxy.count(FEED) == 1


def test_no_proxy_sends_a_host_direct(proxy, monkeypatch):
    monkeypatch.setenv("no_proxy", "feeds.example")
    error = fetch(FEED)
    assert isinstance(error, FetchError) and "host name not found" in str(error)
    assert proxy.count(FEED) == 0


def test_an_untrusted_url_never_goes_through_the_proxy(proxy):
    error = fetch(FEED, untrusted=True)
    assert isinstance(error, FetchError) and "host name not found" in str(error)
    assert proxy.count(FEED) == 0
