"""Many sources on one slow host do not hold back the sources of other hosts: a feed of
another outlet is asked for among the first requests of the run, whatever the order of
newsvault.toml."""

import pytest
from support.server import FeedServer, Response

from newsvault.config import FetchSettings, SourceSettings
from newsvault.pipeline.archiver import BATCH_LIMIT
from newsvault.pipeline.fetching import by_host_in_turn, fetch_sources
from newsvault.store import open_store

pytestmark = pytest.mark.timeout(60)
RSS = b'<rss version="2.0"><channel><title>t</title></channel></rss>'


def test_a_slow_host_with_many_sources_does_not_hold_back_another_host(feed_server, tmp_path):
    busy = BATCH_LIMIT + 8  # more than the places for bodies in flight (concurrency + batch)
    asked = []  # the order the two servers were asked in

    def answer(name, delay=0.0):
        def handler(request):
            asked.append(name)
            return Response(200, RSS, {}, delay)
        return handler

    for n in range(busy):
        feed_server.route(f"/slow/{n}", handler=answer(f"busy {n}", delay=0.05))
    with FeedServer() as other:
        other.route("/feed.xml", handler=answer("other"))
        store = open_store(tmp_path / "newsvault.db")
        configured = [SourceSettings(f"busy {n}", feed_server.url(f"/slow/{n}"))
                      for n in range(busy)]
        configured.append(SourceSettings("other", other.url("/feed.xml")))  # last in the file
        store.sync_sources(configured, now_ms=1)
        fetch_sources(store, FetchSettings(concurrency=2, per_host=1), store.configured_sources())
        store.close()
    assert len(asked) == busy + 1
    assert asked.index("other") < 2  # it waited for no busy source


def test_sources_take_turns_by_host_keeping_their_order_within_one():
    from newsvault.model import Source

    sources = [Source(name, url) for name, url in [
        ("a1", "https://rsshub.app/1"), ("a2", "https://rsshub.app/2"),
        ("a3", "https://RSSHUB.app/3"), ("b1", "https://b.example/feed"),
        ("c1", "http://c.example/x"), ("b2", "https://b.example/other")]]
    assert [source.name for source in by_host_in_turn(sources)] == [
        "a1", "b1", "c1", "a2", "b2", "a3"]
