from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from newsvault.feeds import parse_feed
from newsvault.feeds.dates import in_local_time, parse_date, read_date


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def utc_ms(*fields) -> int:
    return epoch_ms(datetime(*fields, tzinfo=timezone.utc))


def epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


@pytest.mark.parametrize(("text", "expected"), [
    # RFC 822 / 2822
    ("Mon, 01 Jan 2024 10:00:00 +0800", utc_ms(2024, 1, 1, 2)),
    ("Mon, 01 Jan 2024 10:00:00 GMT", utc_ms(2024, 1, 1, 10)),
    ("01 Jan 2024 10:00:00 UT", utc_ms(2024, 1, 1, 10)),
    ("Mon, 1 Jan 2024 10:00 EST", utc_ms(2024, 1, 1, 15)),
    ("Sun, 30 Jun 2024 23:00:00 PDT", utc_ms(2024, 7, 1, 6)),
    ("Mon, 01 Jan 24 10:00:00 +0000", utc_ms(2024, 1, 1, 10)),
    ("Fri, 01 Jan 99 10:00:00 +0000", utc_ms(1999, 1, 1, 10)),
    ("Monday, 01 January 2024 10:00:00 -0500", utc_ms(2024, 1, 1, 15)),
    ("Mon, 01 Jan 2024 10:00:00 +08:00", utc_ms(2024, 1, 1, 2)),
    ("Mon, 01 Jan 2024 10:00:00 GMT+8", utc_ms(2024, 1, 1, 2)),
    ("Tue, 02 Jan 2024 10:00:00 +0800 (CST)", utc_ms(2024, 1, 2, 2)),
    ("Mon, 01 Jan 2024 10:00:00.250 Z", utc_ms(2024, 1, 1, 10) + 250),
    ("Mon, 01 Jan 2024", utc_ms(2024, 1, 1)),
    ("Mon, 01 Jan 2024 10:00:00", utc_ms(2024, 1, 1, 10)),
    ("  Mon, 01 Jan 2024 10:00:00 GMT \n", utc_ms(2024, 1, 1, 10)),
    ("Mon Jan 01 10:00:00 +0800 2024", utc_ms(2024, 1, 1, 2)),
    ("Sat, 31 Dec 2016 23:59:60 GMT", utc_ms(2016, 12, 31, 23, 59, 59)),
    # ISO 8601 / RFC 3339
    ("2024-01-01T10:00:00Z", utc_ms(2024, 1, 1, 10)),
    ("2024-01-01T10:00:00z", utc_ms(2024, 1, 1, 10)),
    ("2024-01-01T10:00:00+08:00", utc_ms(2024, 1, 1, 2)),
    ("2024-01-01T10:00:00-0530", utc_ms(2024, 1, 1, 15, 30)),
    ("2024-01-01T10:00:00.123456+00:00", utc_ms(2024, 1, 1, 10) + 123),
    ("2024-01-01T10:00Z", utc_ms(2024, 1, 1, 10)),
    ("2024-01-01 10:00:00", utc_ms(2024, 1, 1, 10)),
    ("2024-01-01 10:00:00 +0800", utc_ms(2024, 1, 1, 2)),
    ("2024-01-01", utc_ms(2024, 1, 1)),
    ("20240101T100000Z", utc_ms(2024, 1, 1, 10)),
    ("2024/1/2 9:05", utc_ms(2024, 1, 2, 9, 5)),
    ("2024-02-29T00:00:00Z", utc_ms(2024, 2, 29)),
    ("1971-01-01T00:00:01Z", utc_ms(1971, 1, 1, 0, 0, 1)),
    # Common broken forms
    ("2024年1月2日 09:05", utc_ms(2024, 1, 2, 9, 5)),
    ("1704103200", utc_ms(2024, 1, 1, 10)),
    # A 12-hour clock
    ("Thu, 27 Jan 2022 5:36:52 PM +0800", utc_ms(2022, 1, 27, 9, 36, 52)),
    ("Thu, 27 Jan 2022 05:36 pm GMT", utc_ms(2022, 1, 27, 17, 36)),
    ("Thu, 27 Jan 2022 12:10:00 AM +0000", utc_ms(2022, 1, 27, 0, 10)),
    ("Thu, 27 Jan 2022 12:10:00 PM +0000", utc_ms(2022, 1, 27, 12, 10)),
    ("Thu, 27 Jan 2022 11:59:59 p.m. +0000", utc_ms(2022, 1, 27, 23, 59, 59)),
    ("2022-01-27 05:36:52 PM", utc_ms(2022, 1, 27, 17, 36, 52)),
    ("2022-01-27 5:36 AM", utc_ms(2022, 1, 27, 5, 36)),
    ("2022-01-27 12:00:00 AM +08:00", utc_ms(2022, 1, 26, 16)),
    ("2022年1月27日 5:36 PM", utc_ms(2022, 1, 27, 17, 36)),
    # the half of the day in Chinese, before the time
    ("2022年1月27日 下午5:36", utc_ms(2022, 1, 27, 17, 36)),
    ("2022-01-27 下午 05:36:52", utc_ms(2022, 1, 27, 17, 36, 52)),
    ("2022/1/27 上午9:05", utc_ms(2022, 1, 27, 9, 5)),
    ("2022年1月27日 凌晨12:30", utc_ms(2022, 1, 27, 0, 30)),
    ("2022年1月27日 中午12:05", utc_ms(2022, 1, 27, 12, 5)),
    ("2022年1月27日 中午1：05", utc_ms(2022, 1, 27, 13, 5)),
    ("2022年1月27日 晚上8:00", utc_ms(2022, 1, 27, 20)),
    ("2022年1月27日 下午17:36", utc_ms(2022, 1, 27, 17, 36)),
    ("Thu, 27 Jan 2022 13:36:52 PM +0800", utc_ms(2022, 1, 27, 5, 36, 52)),  # Java's HH:mm a
    ("2022-01-27 00:30 AM", utc_ms(2022, 1, 27, 0, 30)),
    # Month first
    ("Jan 27, 2022", utc_ms(2022, 1, 27)),
    ("January 27, 2022 17:36", utc_ms(2022, 1, 27, 17, 36)),
    ("Sept. 7, 2022, 5:36 PM", utc_ms(2022, 9, 7, 17, 36)),
    ("Thursday, January 27, 2022 5:36:52 PM +0800", utc_ms(2022, 1, 27, 9, 36, 52)),
    ("Thu Jan 27 2022 17:36:52 GMT+0800 (China Standard Time)", utc_ms(2022, 1, 27, 9, 36, 52)),
    # China's time as Chinese sites name it, and zones by their IANA names
    ("Fri, 05 Jan 2024 10:00:00 BJT", utc_ms(2024, 1, 5, 2)),
    ("Fri, 05 Jan 2024 10:00:00 CCT", utc_ms(2024, 1, 5, 2)),
    ("Fri, 05 Jan 2024 10:00:00 Asia/Shanghai", utc_ms(2024, 1, 5, 2)),
    ("2024-01-05 10:00:00 Asia/Shanghai", utc_ms(2024, 1, 5, 2)),
    ("Fri, 05 Jul 2024 10:00:00 America/New_York", utc_ms(2024, 7, 5, 14)),  # in summer time
    ("Fri, 05 Jan 2024 10:00:00 America/Argentina/Buenos_Aires", utc_ms(2024, 1, 5, 13)),
    ("Fri, 05 Jan 2024 10:00:00 Nowhere/Land", utc_ms(2024, 1, 5, 10)),  # unknown: UTC, as RFC 2822
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "   ", "yesterday", "2024-13-01", "2023-02-29", "2024-01-32T00:00:00Z",
    "Mon, 32 Jan 2024 10:00:00 GMT", "Mon, 01 Foo 2024 10:00:00 GMT", "Mon, 01 Jan 2024 25:00:00 GMT",
    "2024-01-01T10:00:00+99:00", "12345", "Invalid Date", "NaN",
    "Foo 27, 2022", "Thu, 27 Jan 2022 25:00 PM GMT",
])
def test_unreadable_dates_are_none(text):
    assert parse_date(text) is None


@given(st.text(max_size=60))
def test_parse_date_never_raises(text):
    result = parse_date(text)
    assert result is None or isinstance(result, int)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_iso_and_rfc822_round_trip(moment, offset_minutes):
    aware = moment.replace(microsecond=moment.microsecond // 1000 * 1000,
                           tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert read_date(aware.isoformat()) == epoch_ms(aware)
    rfc822 = aware.strftime("%a, %d %b %Y %H:%M:%S %z")  # no fraction of a second
    assert read_date(rfc822) == epoch_ms(aware.replace(microsecond=0))


def test_an_unreadable_pubdate_does_not_hide_a_readable_dc_date():
    body = (b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            b"<item><title>A</title><pubDate>Invalid Date</pubDate>"
            b"<dc:date> 2022-01-27T17:36:52+08:00 </dc:date></item>"
            b"<item><title>B</title><pubDate>Invalid Date</pubDate></item>"
            b"<item><title>C</title><pubDate>Thu, 27 Jan 2022 09:36:52 GMT</pubDate>"
            b"<dc:date>2000-01-01</dc:date></item></channel></rss>")
    dated, undated, first = parse_feed(body, url="https://d.example/").entries
    assert (dated.published_raw, dated.published_ms) == (
        "2022-01-27T17:36:52+08:00", utc_ms(2022, 1, 27, 9, 36, 52))
    assert (undated.published_raw, undated.published_ms) == ("Invalid Date", None)
    assert (first.published_raw, first.published_ms) == (
        "Thu, 27 Jan 2022 09:36:52 GMT", utc_ms(2022, 1, 27, 9, 36, 52))


def test_an_unreadable_atom_published_does_not_hide_updated():
    body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            b"<entry><id>1</id><title>A</title><published>0000-00-00T00:00:00Z</published>"
            b"<updated>2022-01-27T09:36:52Z</updated></entry></feed>")
    [entry] = parse_feed(body, url="https://d.example/").entries
    assert (entry.published_raw, entry.published_ms) == (
        "2022-01-27T09:36:52Z", utc_ms(2022, 1, 27, 9, 36, 52))


def test_an_unreadable_json_date_published_does_not_hide_date_modified():
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1",'
            b' "date_published": "Invalid Date", "date_modified": "2022-01-27T09:36:52Z"}]}')
    [entry] = parse_feed(body, url="https://d.example/feed.json").entries
    assert (entry.published_raw, entry.published_ms) == (
        "2022-01-27T09:36:52Z", utc_ms(2022, 1, 27, 9, 36, 52))


SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
UTC_0936 = parse_date("2022-01-27T09:36:52Z")


@pytest.mark.parametrize(("raw", "zone", "expected"), [
    ("2022-01-27 17:36:52", SHANGHAI, UTC_0936),  # no zone: the archive's
    ("2022年1月27日 17:36:52", SHANGHAI, UTC_0936),
    ("2022年1月27日 下午5:36:52", SHANGHAI, UTC_0936),
    ("Thu Jan 27 17:36:52 CST 2022", SHANGHAI, UTC_0936),  # Java's Date on a server in China
    ("Thu, 27 Jan 2022 17:36:52 CST", SHANGHAI, UTC_0936),
    ("2022-01-27 04:36:52", NEW_YORK, UTC_0936),  # -05:00 in January
    ("2022-07-01 05:36:52", NEW_YORK, parse_date("2022-07-01T09:36:52Z")),  # -04:00 in July
    ("Thu, 27 Jan 2022 03:36:52 CST", NEW_YORK, UTC_0936),  # US Central there, as the RFC says
    ("2022-01-27T17:36:52+08:00", NEW_YORK, UTC_0936),  # a zone named is that zone
    ("Thu, 27 Jan 2022 09:36:52 GMT", SHANGHAI, UTC_0936),
    ("Thu, 27 Jan 2022 17:36:52 +0800 (CST)", SHANGHAI, UTC_0936),
    ("2022-01-27", SHANGHAI, parse_date("2022-01-27")),  # a day alone keeps its day
    # no weekday: the text starts with a digit, yet is no ISO date
    ("27 Jan 2022 17:36:52", SHANGHAI, UTC_0936),
    ("27 January 2022 17:36:52", SHANGHAI, UTC_0936),
    ("27-Jan-2022 17:36:52", SHANGHAI, UTC_0936),
    ("27 Jan 2022 17:36:52 +0800", NEW_YORK, UTC_0936),
    ("27 Jan 2022", SHANGHAI, parse_date("2022-01-27")),
    ("Thu, 27 Jan 2022 17:36:52 BJT", NEW_YORK, UTC_0936),  # a zone named is that zone
    ("Thu, 27 Jan 2022 17:36:52 Asia/Shanghai", NEW_YORK, UTC_0936),
])
def test_a_date_that_leaves_its_zone_open_is_read_in_the_archives(raw, zone, expected):
    assert in_local_time(raw, parse_date(raw), zone) == expected


def test_parse_feed_reads_dates_without_a_zone_in_the_zone_it_is_given():
    body = ("<rss version='2.0'><channel><title>t</title><item><title>a</title><guid>1</guid>"
            "<pubDate>2022-01-27 17:36:52</pubDate></item></channel></rss>").encode()
    [utc] = parse_feed(body, url="https://x.example/").entries
    [local] = parse_feed(body, url="https://x.example/", local_zone=SHANGHAI).entries
    assert (utc.published_ms - local.published_ms, local.published_ms) == (8 * 3_600_000, UTC_0936)
    assert local.published_raw == "2022-01-27 17:36:52"  # as the feed said


@pytest.mark.parametrize("raw", [
    "0001-01-01T00:00:00Z",  # Go's zero time, an unset Created in gorilla/feeds
    "0001-01-01T00:00:00",
    "Mon, 01 Jan 0001 00:00:00 +0000",
    "1970-01-01T00:00:00Z",  # a 0 timestamp
    "0",
    "9999-12-31T23:59:59Z",
])
def test_a_date_no_news_item_can_have_is_no_date(raw):
    assert parse_date(raw) is None
    body = (f"<rss version='2.0'><channel><title>t</title><item><title>a</title><guid>1</guid>"
            f"<pubDate>{raw}</pubDate></item></channel></rss>").encode()
    [entry] = parse_feed(body, url="https://x.example/", local_zone=SHANGHAI).entries
    assert (entry.published_raw, entry.published_ms) == (raw, None)  # kept, read as none


def test_the_earliest_and_latest_dates_a_news_item_can_have():
    assert parse_date("1971-01-01T00:00:00Z") == 365 * 86_400_000
    assert parse_date("9998-12-31T23:59:59Z") is not None
    assert read_date("0001-01-01T00:00:00Z") == -62_135_596_800_000  # a post's own, at import
