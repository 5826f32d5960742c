"""HttpFetcher against a real loopback server: answers, statuses, retries, headers."""

import asyncio
import gzip
import socket
import zlib
from datetime import datetime, timezone

import pytest
from support.server import Response, closed_port_url

from newsvault.errors import (
    FetchError,
    GoneError,
    HTTPStatusError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from newsvault.fetch import HttpFetcher

NOW_MS = 1_700_000_000_000  # the clock the ``fetch`` fixture gives HttpFetcher
pytestmark = pytest.mark.timeout(30)


def test_ok_200_returns_body_and_headers(feed_server, fetch):
    feed_server.route("/feed.xml", body=b"<rss/>", headers={
        "Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"v1"',
        "Last-Modified": "Tue, 14 Nov 2023 22:00:00 GMT"})
    response = fetch(feed_server.url("/feed.xml"))
    assert (response.status, response.body, response.not_modified) == (200, b"<rss/>", False)
    assert response.url == feed_server.url("/feed.xml")
    assert response.content_type == "application/rss+xml; charset=utf-8"
    assert response.etag == '"v1"'
    assert response.last_modified == "Tue, 14 Nov 2023 22:00:00 GMT"
    assert response.permanent_url is None
    assert response.wire_bytes == len(b"<rss/>")


def test_conditional_get_sends_validators_and_gets_304(feed_server, fetch):
    modified = "Tue, 14 Nov 2023 22:00:00 GMT"
    feed_server.conditional("/feed.xml", b"<rss/>", etag='"v1"', last_modified=modified)
    response = fetch(feed_server.url("/feed.xml"), etag='"v1"', last_modified=modified)
    assert (response.status, response.body, response.not_modified) == (304, b"", True)
    assert (response.etag, response.last_modified, response.wire_bytes) == ('"v1"', modified, 0)
    sent = feed_server.last("/feed.xml").headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == modified


def test_conditional_get_with_changed_etag_gets_the_new_body(feed_server, fetch):
    feed_server.conditional("/feed.xml", b"<rss>new</rss>", etag='"v2"')
    response = fetch(feed_server.url("/feed.xml"), etag='"v1"')
    assert (response.status, response.body, response.etag) == (200, b"<rss>new</rss>", '"v2"')


def test_no_validators_no_conditional_headers(feed_server, fetch):
    feed_server.route("/feed.xml", body=b"<rss/>")
    fetch(feed_server.url("/feed.xml"))
    sent = feed_server.last("/feed.xml").headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_404_raises_not_found(feed_server, fetch):
    with pytest.raises(NotFoundError, match=r"^fetch: not found \(404 status code\)") as caught:
        fetch(feed_server.url("/missing.xml"))
    assert caught.value.status == 404
    assert feed_server.count("/missing.xml") == 1


def test_410_raises_gone(feed_server, fetch):
    feed_server.route("/dead.xml", status=410)
    with pytest.raises(GoneError, match=r"^fetch: gone \(410 status code\)"):
        fetch(feed_server.url("/dead.xml"))


def test_429_with_retry_after_seconds(feed_server, fetch):
    feed_server.route("/feed.xml", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitedError, match=r"^fetch: too many requests \(429") as caught:
        fetch(feed_server.url("/feed.xml"))
    assert (caught.value.status, caught.value.retry_at_ms) == (429, NOW_MS + 120_000)
    assert feed_server.count("/feed.xml") == 1


def test_429_with_retry_after_http_date(feed_server, fetch):
    feed_server.route("/feed.xml", status=429,
                      headers={"Retry-After": "Wed, 15 Nov 2023 08:00:00 GMT"})
    with pytest.raises(RateLimitedError) as caught:
        fetch(feed_server.url("/feed.xml"))
    expected = datetime(2023, 11, 15, 8, 0, tzinfo=timezone.utc).timestamp() * 1000
    assert caught.value.retry_at_ms == expected


def test_429_without_retry_after_has_no_retry_time(feed_server, fetch):
    feed_server.route("/feed.xml", status=429)
    with pytest.raises(RateLimitedError) as caught:
        fetch(feed_server.url("/feed.xml"))
    assert caught.value.retry_at_ms is None


@pytest.mark.parametrize("value", [
    "315360000",  # ten years
    "99999999999999999999",  # more than SQLite's integers and any date hold
    "Sat, 01 Jan 2100 00:00:00 GMT",
])
def test_a_retry_after_of_more_than_a_day_waits_a_day(feed_server, fetch, value):
    feed_server.route("/feed.xml", status=429, headers={"Retry-After": value})
    with pytest.raises(RateLimitedError) as caught:
        fetch(feed_server.url("/feed.xml"))
    assert caught.value.retry_at_ms == NOW_MS + 24 * 3_600_000


def test_a_retry_after_that_is_no_number_is_none(feed_server, fetch):
    feed_server.route("/feed.xml", status=429, headers={"Retry-After": "\u00b2".encode().decode("latin-1")})
    with pytest.raises(RateLimitedError) as caught:  # "²": isdigit() says yes, int() no
        fetch(feed_server.url("/feed.xml"))
    assert caught.value.retry_at_ms is None


def test_validators_that_are_not_utf8_are_not_kept(feed_server, fetch):
    # a PHP site's date in GBK: stored as it came, it failed the source's whole store
    gbk_date = "星期三, 03 1月 2024 10:00:00 GMT".encode("gbk").decode("latin-1")
    feed_server.route("/feed.xml", body=b"<rss/>",
                      headers={"Last-Modified": gbk_date, "ETag": '"\u00e6"'})
    response = fetch(feed_server.url("/feed.xml"))
    assert (response.status, response.body) == (200, b"<rss/>")
    assert (response.etag, response.last_modified) == (None, None)
    feed_server.route("/ok.xml", body=b"<rss/>", headers={"ETag": '"中"'.encode().decode("latin-1")})
    assert fetch(feed_server.url("/ok.xml")).etag == '"中"'  # UTF-8 is kept


def test_503_with_retry_after_is_rate_limited_after_one_request(feed_server, fetch):
    feed_server.route("/feed.xml", status=503, headers={"Retry-After": "30"})
    with pytest.raises(RateLimitedError, match=r"^fetch: service unavailable \(503") as caught:
        fetch(feed_server.url("/feed.xml"))
    assert (caught.value.status, caught.value.retry_at_ms) == (503, NOW_MS + 30_000)
    assert feed_server.count("/feed.xml") == 1


def test_503_then_200_is_retried(feed_server, fetch):
    feed_server.sequence("/feed.xml", [Response(503), Response(503), Response(200, b"<rss/>")])
    response = fetch(feed_server.url("/feed.xml"))
    assert response.body == b"<rss/>"
    assert feed_server.count("/feed.xml") == 3


def test_500_exhausts_retries(feed_server, fetch, make_settings):
    feed_server.route("/feed.xml", status=500)
    with pytest.raises(ServerError, match=r"^fetch: server error \(500 status code\)$"):
        fetch(feed_server.url("/feed.xml"), make_settings(retries=3))
    assert feed_server.count("/feed.xml") == 3 + 1


def test_backoff_that_would_pass_the_total_timeout_is_not_waited(feed_server, fetch,
                                                                 make_settings):
    feed_server.route("/feed.xml", status=502)
    settings = make_settings(retries=5, backoff=30.0, total_timeout=1.0)
    with pytest.raises(ServerError):
        fetch(feed_server.url("/feed.xml"), settings)
    assert feed_server.count("/feed.xml") == 1


def test_other_4xx_raises_http_status_error(feed_server, fetch):
    feed_server.route("/feed.xml", status=403)
    with pytest.raises(HTTPStatusError, match=r"^fetch: forbidden \(403 status code\)$") as caught:
        fetch(feed_server.url("/feed.xml"))
    assert caught.value.status == 403
    assert feed_server.count("/feed.xml") == 1


def test_connection_refused_is_network_error_after_retries(fetch, make_settings):
    url = closed_port_url("/feed.xml")
    host = url.split("/")[2]
    with pytest.raises(NetworkError) as caught:
        fetch(url, make_settings(retries=2, backoff=0.01))
    assert str(caught.value) == f"fetch: cannot connect to {host} (connection refused)"


@pytest.fixture
def dns_answers(monkeypatch):
    """dns_answers(errno) -> the names asked: every lookup of a name that is not loopback
    fails with ``errno``, as a resolver would answer it."""
    asked: list[str] = []

    def install(errno: int) -> list[str]:
        real = socket.getaddrinfo

        def getaddrinfo(host, *args, **kwargs):
            if host in ("localhost", "127.0.0.1"):
                return real(host, *args, **kwargs)
            asked.append(host)
            raise socket.gaierror(errno, "as the resolver answered")

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return asked

    return install


def test_a_name_that_does_not_exist_is_asked_once(fetch, make_settings, dns_answers):
    asked = dns_answers(socket.EAI_NONAME)
    with pytest.raises(NetworkError, match=r"^fetch: cannot connect to no-such-host\.example:80 "
                                           r"\(host name not found\)$"):
        fetch("http://no-such-host.example/feed.xml", make_settings(retries=3, backoff=0.01))
    assert asked == ["no-such-host.example"]


def test_a_temporary_dns_failure_is_retried(fetch, make_settings, dns_answers):
    asked = dns_answers(socket.EAI_AGAIN)
    with pytest.raises(NetworkError, match=r"\(host name lookup failed for now"):
        fetch("http://flaky-dns.example/feed.xml", make_settings(retries=3, backoff=0.01))
    assert asked == ["flaky-dns.example"] * 4


def test_a_dropped_connection_is_retried(feed_server, fetch):
    answers = iter([None, Response(200, b"<rss/>")])  # None: close without answering
    feed_server.route("/feed.xml", handler=lambda request: next(answers))
    assert fetch(feed_server.url("/feed.xml")).body == b"<rss/>"
    assert feed_server.count("/feed.xml") == 2


def test_user_agent_and_accept_headers_are_sent(feed_server, fetch, make_settings):
    feed_server.route("/feed.xml", body=b"<rss/>")
    fetch(feed_server.url("/feed.xml"), make_settings(user_agent="newsvault-test/1.0"))
    sent = feed_server.last("/feed.xml").headers
    assert sent["user-agent"] == "newsvault-test/1.0"
    assert sent["accept"].startswith("application/rss+xml, application/atom+xml")
    assert sent["accept-encoding"] == "gzip, deflate"


def test_gzip_body_is_decompressed(feed_server, fetch):
    body = "<rss>新闻</rss>".encode() * 1000
    feed_server.gzip("/feed.xml", body)
    response = fetch(feed_server.url("/feed.xml"))
    assert response.body == body
    assert response.wire_bytes == len(gzip.compress(body))


def test_deflate_body_with_or_without_zlib_header_is_decompressed(feed_server, fetch):
    body = b"<rss>" + b"item " * 1000 + b"</rss>"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    feed_server.route("/zlib", body=zlib.compress(body), headers={"Content-Encoding": "deflate"})
    feed_server.route("/raw", body=raw.compress(body) + raw.flush(),
                      headers={"Content-Encoding": "deflate"})
    assert fetch(feed_server.url("/zlib")).body == body
    assert fetch(feed_server.url("/raw")).body == body


def test_raw_deflate_whose_first_chunks_are_one_byte_is_decompressed(feed_server, fetch):
    body = b"<rss>" + b"item " * 1000 + b"</rss>"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    encoded = raw.compress(body) + raw.flush()
    feed_server.slow("/feed.xml", [encoded[:1], encoded[1:2], encoded[2:]], interval=0.1,
                     headers={"Content-Encoding": "deflate"})
    assert fetch(feed_server.url("/feed.xml")).body == body


def test_corrupt_gzip_is_a_fetch_error(feed_server, fetch):
    feed_server.route("/feed.xml", body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"^fetch: cannot decompress the body \(gzip\)"):
        fetch(feed_server.url("/feed.xml"))


def test_a_url_that_is_not_http_is_refused_without_a_request(fetch):
    with pytest.raises(FetchError, match=r"^fetch: not an http\(s\) URL: ftp://"):
        fetch("ftp://example.org/feed.xml")


def test_stacked_content_encodings_are_undone_last_first(feed_server, fetch):
    body = b"<rss>" + b"item " * 1000 + b"</rss>"
    feed_server.route("/feed.xml", body=gzip.compress(zlib.compress(body)),
                      headers={"Content-Encoding": "deflate, gzip"})
    assert fetch(feed_server.url("/feed.xml")).body == body


def test_an_encoding_that_was_not_offered_is_a_fetch_error(feed_server, fetch):
    feed_server.route("/feed.xml", body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match=r"cannot decode the body \(Content-Encoding: br\)$"):
        fetch(feed_server.url("/feed.xml"))


def test_a_gzip_body_of_several_members_is_decompressed_whole(feed_server, fetch):
    feed_server.route("/feed.xml", body=gzip.compress(b"<rss>") + gzip.compress(b"</rss>"),
                      headers={"Content-Encoding": "gzip"})
    assert fetch(feed_server.url("/feed.xml")).body == b"<rss></rss>"


def test_retry_after_uses_newsvault_now_by_default(feed_server, monkeypatch, make_settings):
    monkeypatch.setenv("NEWSVAULT_NOW", "2022-01-27T09:36:52.404Z")
    feed_server.route("/feed.xml", status=429, headers={"Retry-After": "60"})

    async def go():
        async with HttpFetcher(make_settings()) as fetcher:
            await fetcher.get(feed_server.url("/feed.xml"))

    with pytest.raises(RateLimitedError) as caught:
        asyncio.run(go())
    fixed = datetime(2022, 1, 27, 9, 36, 52, 404000, tzinfo=timezone.utc).timestamp() * 1000
    assert caught.value.retry_at_ms == round(fixed) + 60_000


def test_a_response_header_of_tens_of_kb_is_taken(feed_server, fetch):
    # a site's Content-Security-Policy or Link header; aiohttp's 8 KB default refused it
    big = "default-src " + " ".join(f"https://cdn{n}.example" for n in range(1500))
    feed_server.route("/feed.xml", body=b"<rss/>", headers={"Content-Security-Policy": big})
    assert len(big) > 30_000
    assert fetch(feed_server.url("/feed.xml")).body == b"<rss/>"


def test_an_answer_that_is_not_http_is_said_in_one_short_line(fetch):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"SSH-2.0-OpenSSH_9.0\r\n" + b"x" * 5000 + b"\r\n\r\n")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch(f"http://127.0.0.1:{port}/feed.xml")
    finally:
        listener.close()
    message = str(caught.value)
    assert message.startswith(f"fetch: 127.0.0.1:{port} answered what is not valid HTTP (")
    assert "\n" not in message and len(message) < 160


@pytest.mark.parametrize("retry_after", ["0", "Tue, 14 Nov 2023 07:00:00 GMT"])  # NOW: 22:13 that day
def test_a_503_whose_retry_after_is_now_or_past_is_retried_at_once(feed_server, fetch,
                                                                    retry_after):
    feed_server.sequence("/feed.xml", [Response(503, b"", {"Retry-After": retry_after}),
                                       Response(200, b"<rss/>")])
    assert fetch(feed_server.url("/feed.xml")).body == b"<rss/>"
    assert feed_server.count("/feed.xml") == 2


def test_part_of_a_feed_is_no_feed(feed_server, fetch):
    feed_server.route("/feed.xml", status=206, body=b"<rss><chan", headers={"ETag": '"p"'})
    with pytest.raises(HTTPStatusError, match=r"206 Partial Content"):
        fetch(feed_server.url("/feed.xml"))
