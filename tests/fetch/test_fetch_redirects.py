"""Redirects, followed by hand: permanent_url, loops, the hop limit, relative Locations."""

import asyncio

import pytest

from newsvault.errors import FetchError, TooManyRedirectsError

pytestmark = pytest.mark.timeout(30)


def test_chain_301_302_200_keeps_the_301_target_as_permanent_url(feed_server, fetch):
    feed_server.redirect("/old", feed_server.url("/moved"), 301)
    feed_server.redirect("/moved", feed_server.url("/today"), 302)
    feed_server.route("/today", body=b"<rss/>")
    response = fetch(feed_server.url("/old"))
    assert response.body == b"<rss/>"
    assert response.url == feed_server.url("/today")
    assert response.permanent_url == feed_server.url("/moved")


def test_consecutive_permanent_redirects_give_the_last_permanent_target(feed_server, fetch):
    feed_server.redirect("/a", feed_server.url("/b"), 301)
    feed_server.redirect("/b", feed_server.url("/c"), 308)
    feed_server.redirect("/c", feed_server.url("/d"), 307)
    feed_server.route("/d", body=b"<rss/>")
    assert fetch(feed_server.url("/a")).permanent_url == feed_server.url("/c")


def test_308_alone_sets_permanent_url(feed_server, fetch):
    feed_server.redirect("/old", feed_server.url("/new"), 308)
    feed_server.route("/new", body=b"<rss/>")
    assert fetch(feed_server.url("/old")).permanent_url == feed_server.url("/new")


def test_302_leaves_permanent_url_unset(feed_server, fetch):
    feed_server.redirect("/old", feed_server.url("/new"), 302)
    feed_server.route("/new", body=b"<rss/>")
    response = fetch(feed_server.url("/old"))
    assert (response.url, response.permanent_url) == (feed_server.url("/new"), None)


def test_a_permanent_redirect_after_a_temporary_one_does_not_count(feed_server, fetch):
    feed_server.redirect("/a", feed_server.url("/b"), 302)
    feed_server.redirect("/b", feed_server.url("/c"), 301)
    feed_server.route("/c", body=b"<rss/>")
    assert fetch(feed_server.url("/a")).permanent_url is None


def test_relative_location_is_resolved(feed_server, fetch):
    feed_server.redirect("/feeds/old.xml", "new.xml?x=1", 301)
    feed_server.route("/feeds/new.xml", body=b"<rss/>")
    response = fetch(feed_server.url("/feeds/old.xml"))
    assert response.url == feed_server.url("/feeds/new.xml?x=1")
    assert feed_server.last("/feeds/new.xml").query == "x=1"


def test_redirect_loop(feed_server, fetch):
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    with pytest.raises(TooManyRedirectsError) as caught:
        fetch(feed_server.url("/a"))
    assert str(caught.value) == f"fetch: redirect loop at {feed_server.url('/a')}"
    assert (feed_server.count("/a"), feed_server.count("/b")) == (1, 1)


def test_too_many_redirects(feed_server, fetch, make_settings):
    for hop in range(10):
        feed_server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    with pytest.raises(TooManyRedirectsError, match=r"^fetch: too many redirects \(more than 5\)$"):
        fetch(feed_server.url("/hop0"), make_settings(max_redirects=5))
    assert feed_server.count("/hop*") == 6


def test_exactly_max_redirects_is_fine(feed_server, fetch, make_settings):
    for hop in range(3):
        feed_server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    feed_server.route("/hop3", body=b"<rss/>")
    assert fetch(feed_server.url("/hop0"), make_settings(max_redirects=3)).body == b"<rss/>"


def test_redirect_to_another_scheme_is_refused(feed_server, fetch):
    feed_server.redirect("/feed.xml", "ftp://example.org/feed.xml")
    with pytest.raises(FetchError, match=r"^fetch: redirect to a URL that is not http\(s\)"):
        fetch(feed_server.url("/feed.xml"))


def test_validators_follow_the_redirect(feed_server, fetch):
    feed_server.redirect("/old", "/new", 301)
    feed_server.conditional("/new", b"<rss/>", etag='"v1"')
    response = fetch(feed_server.url("/old"), etag='"v1"')
    assert response.not_modified
    assert response.permanent_url == feed_server.url("/new")


def test_redirects_and_304s_leave_the_connection_reusable(feed_server, make_settings):
    from newsvault.fetch import HttpFetcher

    feed_server.redirect("/old", feed_server.url("/feed"), 302)
    feed_server.conditional("/feed", b"<rss/>", etag='"v1"')

    async def three_fetches():
        async with HttpFetcher(make_settings(concurrency=1, per_host=1)) as fetcher:
            for _ in range(3):
                await fetcher.get(feed_server.url("/old"), etag='"v1"')

    asyncio.run(three_fetches())
    assert feed_server.count() == 6
    assert len({request.peer for request in feed_server.requests()}) == 1


def test_a_location_in_gbk_bytes_is_followed_percent_encoded(feed_server, fetch):
    # a Chinese CMS's Location: /feeds/新闻.xml in GBK bytes, as curl and browsers follow it
    gbk_path = "/feeds/新闻.xml".encode("gbk").decode("latin-1")
    feed_server.redirect("/feed.xml", gbk_path, 301)
    feed_server.route("/feeds/*", body=b"<rss/>")
    response = fetch(feed_server.url("/feed.xml"))
    assert response.body == b"<rss/>"
    assert response.permanent_url == feed_server.url("/feeds/%D0%C2%CE%C5.xml")
    assert feed_server.count("/feeds/*") == 1


def test_credentials_a_location_names_are_neither_sent_nor_kept(feed_server, fetch):
    # the server chose them: newsvault sends and stores only the user's own
    feed_server.redirect("/old", f"http://intruder:s3cret@{feed_server.host}/new", 301)
    feed_server.route("/new", body=b"<rss/>")
    response = fetch(feed_server.url("/old"))
    assert (response.url, response.permanent_url) == (feed_server.url("/new"),) * 2
    assert "authorization" not in feed_server.last("/new").headers


def test_a_location_on_the_same_host_keeps_the_configured_credentials(feed_server, fetch):
    mine = f"http://me:pw@{feed_server.host}"
    feed_server.redirect("/old", "/new", 301)
    feed_server.redirect("/new", f"{mine}/newer", 301)  # the same ones, spelt out
    feed_server.route("/newer", body=b"<rss/>")
    response = fetch(f"{mine}/old")
    assert response.permanent_url == f"{mine}/newer"
    assert feed_server.last("/newer").headers["authorization"] == "Basic bWU6cHc="
