"""A body that ends before it should: a fetch error, never a shorter body taken as whole."""

import gzip
import zlib

import pytest

from newsvault.errors import FetchError, NetworkError

pytestmark = pytest.mark.timeout(30)

FEED = b"<rss><channel>" + b"<item><title>Item</title></item>" * 200 + b"</channel></rss>"


def _raw_deflate(body: bytes) -> bytes:
    encoder = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return encoder.compress(body) + encoder.flush()


COMPRESSED = {
    "gzip": ("gzip", gzip.compress(FEED)),
    "zlib-deflate": ("deflate", zlib.compress(FEED)),
    "raw-deflate": ("deflate", _raw_deflate(FEED)),
}
CUT_SHORT = r"^fetch: the response ended before its compressed body did \(truncated\)$"


@pytest.mark.parametrize("kind", COMPRESSED)
@pytest.mark.parametrize("missing", [1, 30])
def test_a_compressed_body_cut_short_is_a_fetch_error(feed_server, fetch, kind, missing):
    coding, whole = COMPRESSED[kind]
    feed_server.route("/feed.xml", body=whole[:-missing],
                      headers={"Content-Encoding": coding, "ETag": '"cut"'})
    with pytest.raises(FetchError, match=CUT_SHORT):
        fetch(feed_server.url("/feed.xml"))


def test_a_chunked_gzip_body_cut_short_is_a_fetch_error(feed_server, fetch):
    cut = gzip.compress(FEED)[:-30]
    feed_server.slow("/feed.xml", [cut[:100], cut[100:]], interval=0.01,
                     headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=CUT_SHORT):
        fetch(feed_server.url("/feed.xml"))


def test_a_gzip_body_cut_inside_a_deflate_coding_is_a_fetch_error(feed_server, fetch):
    cut = zlib.compress(FEED)[:-20]
    feed_server.route("/feed.xml", body=gzip.compress(cut),
                      headers={"Content-Encoding": "deflate, gzip"})
    with pytest.raises(FetchError, match=CUT_SHORT):
        fetch(feed_server.url("/feed.xml"))


def test_a_whole_compressed_body_is_still_accepted(feed_server, fetch):
    for kind, (coding, whole) in COMPRESSED.items():
        feed_server.route(f"/{kind}", body=whole, headers={"Content-Encoding": coding})
        assert fetch(feed_server.url(f"/{kind}")).body == FEED


def test_a_plain_body_shorter_than_its_content_length_is_a_fetch_error(feed_server, fetch):
    feed_server.route("/feed.xml", body=FEED[:500], headers={
        "Content-Length": str(len(FEED)), "Connection": "close"})
    with pytest.raises(NetworkError, match=r"^fetch: connection to .* broke off \(.+\)$"):
        fetch(feed_server.url("/feed.xml"))


@pytest.mark.parametrize("version", ["HTTP/1.0", "HTTP/1.1"])
def test_a_close_delimited_body_cut_short_comes_back_as_it_was_sent(feed_server, fetch, version):
    # nothing in HTTP tells such a body was cut: only the feed's bytes can (feeds/)
    feed_server.close_delimited("/feed.xml", FEED[:500], version)
    response = fetch(feed_server.url("/feed.xml"))
    assert (response.status, response.body) == (200, FEED[:500])
