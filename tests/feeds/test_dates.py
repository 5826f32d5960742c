from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from newsvault.feeds.dates import parse_date


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
    ("1969-12-31T23:59:59Z", -1000),
    # Common broken forms
    ("2024年1月2日 09:05", utc_ms(2024, 1, 2, 9, 5)),
    ("1704103200", utc_ms(2024, 1, 1, 10)),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "   ", "yesterday", "2024-13-01", "2023-02-29", "2024-01-32T00:00:00Z",
    "Mon, 32 Jan 2024 10:00:00 GMT", "Mon, 01 Foo 2024 10:00:00 GMT", "Mon, 01 Jan 2024 25:00:00 GMT",
    "2024-01-01T10:00:00+99:00", "12345",
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
    assert parse_date(aware.isoformat()) == epoch_ms(aware)
    rfc822 = aware.strftime("%a, %d %b %Y %H:%M:%S %z")  # no fraction of a second
    assert parse_date(rfc822) == epoch_ms(aware.replace(microsecond=0))
