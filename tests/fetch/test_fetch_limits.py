"""Timeouts, the body cap, and the concurrency limits, against the loopback server."""

import asyncio
import gzip
import time

import pytest
from support.memory import PeakRss
from support.server import MB, FeedServer

from newsvault.errors import BodyTooLargeError, FetchTimeoutError
from newsvault.fetch import HttpFetcher

pytestmark = pytest.mark.timeout(30)


def test_a_server_that_never_answers_times_out(feed_server, fetch, make_settings):
    feed_server.hang("/feed.xml")
    settings = make_settings(connect_timeout=0.5, read_timeout=0.5, total_timeout=5)
    with pytest.raises(FetchTimeoutError, match=r"^fetch: timed out after 0.5s \(read\)$"):
        fetch(feed_server.url("/feed.xml"), settings)
    assert feed_server.count("/feed.xml") == 1  # a read timeout is not retried


def test_a_trickling_body_stops_at_the_total_timeout(feed_server, fetch, make_settings):
    feed_server.slow("/feed.xml", [b"<rss>"] + [b" "] * 100, interval=0.1)
    settings = make_settings(read_timeout=2, total_timeout=0.5)
    with pytest.raises(FetchTimeoutError, match=r"^fetch: timed out after 0.5s \(total\)$"):
        fetch(feed_server.url("/feed.xml"), settings)


def test_a_slow_body_within_the_timeouts_arrives_whole(feed_server, fetch):
    feed_server.slow("/feed.xml", [b"<rss>", b"<item/>", b"</rss>"], interval=0.05)
    assert fetch(feed_server.url("/feed.xml")).body == b"<rss><item/></rss>"


def _warm_up(server, fetch) -> None:
    """One small fetch first, so the peak measured is the body's, not first-use imports'."""
    server.route("/warm-up", body=b"<rss/>")
    fetch(server.url("/warm-up"))


def test_50mb_body_with_1mb_cap_fails_while_streaming(feed_server, fetch, make_settings):
    feed_server.huge("/big.xml", 50 * MB, content_length=False)  # chunked: no size up front
    _warm_up(feed_server, fetch)
    with PeakRss() as peak, pytest.raises(BodyTooLargeError) as caught:
        fetch(feed_server.url("/big.xml"), make_settings(max_body_bytes=MB))
    assert str(caught.value) == "fetch: response body too large (over 1 MB)"
    assert peak.growth < 15 * MB
    assert feed_server.sent_bytes("/big.xml") < 25 * MB


def test_gzip_bomb_fails_once_decompressed_past_the_cap(feed_server, fetch, make_settings):
    wire_size = feed_server.gzip_bomb("/bomb.xml", 60 * MB)
    assert wire_size < 200 * 1024
    _warm_up(feed_server, fetch)
    with PeakRss() as peak, pytest.raises(BodyTooLargeError, match=r"over 1 MB"):
        fetch(feed_server.url("/bomb.xml"), make_settings(max_body_bytes=MB))
    assert peak.growth < 15 * MB


def test_content_length_over_the_cap_fails_without_reading(feed_server, fetch, make_settings):
    # Headers announce 50 MB and then no byte comes: reading would end in a read timeout.
    feed_server.hang("/big.xml", headers={"Content-Length": str(50 * MB)})
    settings = make_settings(max_body_bytes=MB, read_timeout=10, total_timeout=20)
    with pytest.raises(BodyTooLargeError, match=r"^fetch: response body too large \(over 1 MB\)$"):
        fetch(feed_server.url("/big.xml"), settings)


def test_body_of_exactly_the_cap_is_accepted(feed_server, fetch, make_settings):
    feed_server.route("/plain", body=b"x" * 1000)
    feed_server.gzip("/gzip", b"x" * 1000)
    feed_server.route("/over", body=b"x" * 1001)
    settings = make_settings(max_body_bytes=1000)
    assert len(fetch(feed_server.url("/plain"), settings).body) == 1000
    assert len(fetch(feed_server.url("/gzip"), settings).body) == 1000
    with pytest.raises(BodyTooLargeError, match=r"over 1000 bytes"):
        fetch(feed_server.url("/over"), settings)


def test_decompressed_size_over_the_cap_fails_though_the_wire_size_is_under(
        feed_server, fetch, make_settings):
    feed_server.gzip("/feed.xml", b"x" * 5000)
    with pytest.raises(BodyTooLargeError):
        fetch(feed_server.url("/feed.xml"), make_settings(max_body_bytes=4096))
    assert len(gzip.compress(b"x" * 5000)) < 4096


def _get_all(settings, urls: list[str]) -> list:
    async def go():
        async with HttpFetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.get(url) for url in urls))

    return asyncio.run(go())


def test_per_host_limit_is_respected(feed_server, make_settings):
    feed_server.route("/slow/*", body=b"<rss/>", delay=0.1)
    urls = [feed_server.url(f"/slow/{n}") for n in range(10)]
    responses = _get_all(make_settings(concurrency=16, per_host=2), urls)
    assert [r.body for r in responses] == [b"<rss/>"] * 10
    assert feed_server.max_in_flight("/slow/*") == 2


def test_global_limit_is_respected(feed_server, make_settings):
    feed_server.route("/slow/*", body=b"<rss/>", delay=0.1)
    urls = [feed_server.url(f"/slow/{n}") for n in range(9)]
    _get_all(make_settings(concurrency=3, per_host=10), urls)
    assert feed_server.max_in_flight("/slow/*") == 3


def test_a_busy_host_does_not_hold_back_another(feed_server, make_settings):
    feed_server.route("/slow/*", body=b"<rss/>", delay=0.3)
    with FeedServer() as other:
        other.route("/feed.xml", body=b"<rss/>")
        finished = {}

        async def go():
            async with HttpFetcher(make_settings(concurrency=2, per_host=1)) as fetcher:
                async def get(name, url):
                    await fetcher.get(url)
                    finished[name] = time.monotonic()

                busy = [get(n, feed_server.url(f"/slow/{n}")) for n in range(4)]
                await asyncio.gather(*busy, get("other", other.url("/feed.xml")))

        asyncio.run(go())
    assert feed_server.max_in_flight("/slow/*") == 1
    assert finished["other"] < min(finished[n] for n in range(4))
