"""The loopback test server itself (support/server.py), through the standard library."""

import gzip
import http.client
import socket
import threading
import urllib.error
import urllib.request

import pytest
from support.server import MB, FeedServer, Response, closed_port_url, gzip_bomb_bytes

pytestmark = pytest.mark.timeout(30)


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_routes_exact_prefix_and_unrouted(feed_server):
    feed_server.route("/a", body=b"exact")
    feed_server.route("/a*", body=b"prefix")
    feed_server.route("/a/b*", body=b"longer prefix")
    assert get(feed_server.url("/a?q=1"))[2] == b"exact"
    assert get(feed_server.url("/ab"))[2] == b"prefix"
    assert get(feed_server.url("/a/b/c"))[2] == b"longer prefix"
    assert get(feed_server.url("/nothing"))[0] == 404
    assert feed_server.count("/a*") == 3
    assert feed_server.last("/a").query == "q=1"


def test_requests_are_logged_with_lower_case_headers(feed_server):
    feed_server.route("/feed.xml", body=b"x")
    get(feed_server.url("/feed.xml"), {"User-Agent": "probe/1", "X-Thing": "1"})
    request = feed_server.last("/feed.xml")
    assert (request.method, request.path) == ("GET", "/feed.xml")
    assert request.headers["user-agent"] == "probe/1"
    assert request.headers["x-thing"] == "1"
    assert feed_server.count("/other") == 0


def test_sequence_answers_in_turn_then_repeats_the_last(feed_server):
    feed_server.sequence("/s", [Response(503), Response(200, b"one"), Response(200, b"two")])
    assert [get(feed_server.url("/s"))[0] for _ in range(2)] == [503, 200]
    assert [get(feed_server.url("/s"))[2] for _ in range(2)] == [b"two", b"two"]


def test_handler_errors_answer_500_and_are_kept(feed_server):
    feed_server.route("/broken", handler=lambda request: 1 / 0)
    assert get(feed_server.url("/broken"))[0] == 500
    assert "ZeroDivisionError" in feed_server.errors[0]


def test_conditional_answers_304_only_when_validators_match(feed_server):
    modified = "Tue, 14 Nov 2023 22:00:00 GMT"
    feed_server.conditional("/c", b"body", etag='"v1"', last_modified=modified)
    assert get(feed_server.url("/c"))[0] == 200
    assert get(feed_server.url("/c"), {"If-None-Match": '"v1"'})[0] == 304
    assert get(feed_server.url("/c"), {"If-None-Match": '"v0"'})[0] == 200
    assert get(feed_server.url("/c"), {"If-Modified-Since": modified})[0] == 304
    assert get(feed_server.url("/c"), {"If-Modified-Since": "Mon, 13 Nov 2023 00:00:00 GMT"})[0] \
        == 200


def test_redirect_gzip_and_slow_chunked(feed_server):
    feed_server.redirect("/old", "/new", 301)
    feed_server.gzip("/new", b"hello" * 100)
    feed_server.slow("/slow", [b"a", b"b", b"c"], interval=0.01)
    status, headers, body = get(feed_server.url("/old"))
    assert (status, headers["Content-Encoding"], gzip.decompress(body)) == (200, "gzip",
                                                                            b"hello" * 100)
    status, headers, body = get(feed_server.url("/slow"))
    assert (headers["Transfer-Encoding"], body) == ("chunked", b"abc")


def test_huge_body_is_streamed_with_its_length(feed_server):
    feed_server.huge("/big", 3 * MB + 5)
    status, headers, body = get(feed_server.url("/big"))
    assert (status, int(headers["Content-Length"]), len(body)) == (200, 3 * MB + 5, 3 * MB + 5)
    assert feed_server.sent_bytes("/big") == 3 * MB + 5


def test_gzip_bomb_bytes_decompress_to_the_size_asked():
    assert len(gzip.decompress(gzip_bomb_bytes(2 * MB + 3))) == 2 * MB + 3


def test_hang_keeps_the_client_waiting():
    with FeedServer() as server:
        server.hang("/h")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.3)
        connection.request("GET", "/h")
        with pytest.raises(socket.timeout):
            connection.getresponse()
        connection.close()
    assert server.count("/h") == 1


def test_max_in_flight_counts_overlapping_requests(feed_server):
    feed_server.route("/slow/*", body=b"x", delay=0.2)
    threads = [threading.Thread(target=get, args=(feed_server.url(f"/slow/{n}"),))
               for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert feed_server.max_in_flight("/slow/*") == 3
    get(feed_server.url("/slow/x"))
    assert feed_server.max_in_flight("/slow/*") == 3


def test_closed_port_refuses():
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen(closed_port_url(), timeout=2)
    assert isinstance(caught.value.reason, ConnectionRefusedError)
