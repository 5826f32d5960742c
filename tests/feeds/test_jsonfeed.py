import pytest

from newsvault.errors import FeedError
from newsvault.feeds import parse_feed
from newsvault.feeds.dates import parse_date

from .helpers import fixture_bytes, parse_fixture


def test_jsonfeed_11():
    feed = parse_fixture("jsonfeed-11.json")
    assert (feed.format, feed.title, feed.site_url) == ("json", "JSON 新闻", "https://json.example.com/")
    first, second, third = feed.entries  # the string item is skipped
    assert first.title == "火车提速了"
    assert (first.url, first.guid) == ("https://json.example.com/1", "https://json.example.com/1")
    assert first.author == "赵六"
    assert first.content_html == "<p>新线路今天通车。</p>\n<p>Second line.</p>"
    assert first.summary == "新线路通车"
    assert first.published_ms == parse_date("2024-01-10T22:00:00Z")
    assert first.tags == ["交通", "铁路"]
    assert second.guid == "2"  # numeric id as a string
    assert second.url == "https://feed.example.com/relative/2"
    assert second.author == "站点作者"
    assert second.published_raw == "2024-01-11T07:00:00Z"  # date_modified
    assert second.content_html == "<p>Line one &amp; &lt;two&gt;</p><p>Para two</p>"
    assert (third.title, third.url, third.tags) == ("", "https://elsewhere.example.com/3", [])


def test_jsonfeed_10_author_and_content_text():
    entry = parse_fixture("jsonfeed-10.json").entries[0]
    assert (entry.author, entry.content_html) == ("Solo", "<p>Just text.</p>")


def test_lone_surrogate_escapes_become_replacement_characters_and_pairs_stay():
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
            b' "title": "a\\ud800b", "tags": ["\\uDC00"],'
            b' "content_html": "<p>\\ud83d\\ude00 \\udbff</p>"}]}')
    [entry] = parse_feed(body, url="http://a.test/feed.json").entries
    assert (entry.title, entry.tags) == ("a\ufffdb", ["\ufffd"])
    assert entry.content_html == "<p>\U0001f600 \ufffd</p>"


def test_invalid_json_is_a_feed_error():
    with pytest.raises(FeedError, match=r"^parser: invalid JSON Feed \("):
        parse_fixture("jsonfeed-invalid.json")


def test_json_that_is_not_a_feed():
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse_feed(b'{"hello": "world"}', url="https://x.example/")


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b"  \n"])
def test_json_detected_by_content(prefix):
    feed = parse_feed(prefix + fixture_bytes("jsonfeed-10.json"), url="https://x.example/",
                      content_type="text/plain")
    assert feed.format == "json"


def test_json_detected_by_content_type():
    with pytest.raises(FeedError, match="invalid JSON Feed"):
        parse_feed(b"[not json", url="https://x.example/", content_type="application/feed+json")


@pytest.mark.parametrize("content_type", [None, "application/feed+json; charset=gbk"])
def test_json_feed_in_gbk(content_type):
    body = '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "中文标题"}]}'
    feed = parse_feed(body.encode("gbk"), url="https://x.example/", content_type=content_type)
    assert feed.entries[0].title == "中文标题"


def test_what_orjson_refuses_the_standard_library_reads():
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
            b' "title": "NaN", "rating": NaN, "content_html": "<p>x</p>"}]}')
    [entry] = parse_feed(body, url="http://a.test/feed.json").entries
    assert (entry.title, entry.content_html) == ("NaN", "<p>x</p>")


@pytest.mark.parametrize("name", ["jsonfeed-10.json", "jsonfeed-11.json"])
def test_orjson_and_the_standard_library_read_a_feed_alike(name, monkeypatch):
    import orjson

    fast = parse_fixture(name)

    def refuse(data):
        raise orjson.JSONDecodeError("refused", "", 0)

    monkeypatch.setattr(orjson, "loads", refuse)
    assert parse_fixture(name) == fast


def test_an_item_dated_only_by_date_modified_says_so():
    import json as json_module

    from newsvault.feeds import parse_feed

    def item(**dates):
        body = json_module.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                                  "items": [{"id": "1", "content_text": "x", **dates}]}).encode()
        [entry] = parse_feed(body, url="https://j.example/feed.json").entries
        return entry.date_is_update

    assert item(date_modified="2024-01-02T00:00:00Z") is True
    assert item(date_published="2024-01-01T00:00:00Z", date_modified="2024-01-02T00:00:00Z") is False
    assert item() is False
