"""Feed dates to UTC epoch milliseconds.

Three regular expressions cover nearly every feed: ISO 8601 / RFC 3339, RFC 822 (as
written in the wild: no weekday, no seconds, two-digit years, "+08:00", "GMT+8") and the
month-first English forms ("Jan 27, 2022", JavaScript's "Thu Jan 27 2022 17:36:52
GMT+0800"), each with a time on a 12-hour clock too ("5:36 PM").
``email.utils.parsedate_tz`` catches the rest (asctime-like forms). No zone means UTC
here; ``in_local_time`` reads such a time again in the archive's time zone.
"""

import re
from datetime import datetime, timedelta, tzinfo
from email.utils import parsedate_tz
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ZONE = (r"(?P<zone>[Zz]|(?:UTC|GMT|UT)?\s*[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5}"
         r"|[A-Z][A-Za-z]+(?:/[A-Za-z_+-]+){1,2})?")  # the last: an IANA name, Asia/Shanghai
_MERIDIEM = r"(?:\s*(?P<meridiem>[AaPp])\.?[Mm]\.?)?"  # before _ZONE, which would take "PM"
_TIME = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
         + _MERIDIEM)
_ISO = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.]?)(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|\s+)(?P<hour>\d{1,2}):?(?P<minute>\d{2})"
    r"(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?" + _MERIDIEM + r")?"
    r"\s*" + _ZONE + r"\s*$"
)
_CHINESE = re.compile(
    r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
    r"(?:\s*(?P<hour>\d{1,2})[:：](?P<minute>\d{2})"
    r"(?:[:：](?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?" + _MERIDIEM + r")?"
    r"\s*" + _ZONE + r"\s*$"
)
_RFC822 = re.compile(
    r"(?:[A-Za-z]+\.?,?\s*)?"  # weekday
    r"(?P<day>\d{1,2})[\s-]+(?P<month>[A-Za-z]{3,9})\.?,?[\s-]+(?P<year>\d{2,4})"
    r"(?:,?\s+" + _TIME + r")?"
    r"\s*" + _ZONE + r"\s*(?:\([^)]*\))?\s*$"
)
_MONTH_FIRST = re.compile(
    r"(?:[A-Za-z]+\.?,?\s+)?"  # weekday
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    r"(?:,?\s+" + _TIME + r")?"
    r"\s*" + _ZONE + r"\s*(?:\([^)]*\))?\s*$"
)
# Chinese sites write the half of the day before the time: "2024年5月1日 下午3:05"
_CHINESE_MERIDIEM = re.compile(
    r"(?:(上午|早上|早晨|凌晨)|(中午|下午|傍晚|晚上|晚间|夜间))\s*"
    r"(\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:[.,]\d+)?)?)")
_FIELDS = ("year", "day", "hour", "minute", "second", "fraction", "zone", "meridiem")
_EPOCH = re.compile(r"(\d{9,10}|\d{12,13})$")

_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# RFC 822 names; "CST" stays US Central as the RFC says, though some Chinese sites mean +08:00
# (in_local_time). BJT (Beijing) and CCT (China Coast) are China's time on Chinese sites.
_ZONE_HOURS = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5,
    "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "IST": 5.5, "SGT": 8, "HKT": 8, "BJT": 8, "CCT": 8, "AWST": 8, "JST": 9, "KST": 9,
    "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# a zone named at the end, which no local reading changes
_NAMES_ITS_ZONE = re.compile(r"(?:[Zz]|GMT|UTC?|[+-]\d{2}:?\d{2})\s*(?:\([^)]*\))?\s*$")
_CST = re.compile(r"\bCST\b")
_CHINA_STANDARD_HOURS = 8
_EPOCH_START = datetime(1970, 1, 1)
_MS_PER_DAY = 86_400_000
# 1971-01-01 and 9999-01-01: a local reading (in_local_time) moves neither out of range
_EARLIEST_MS = 365 * _MS_PER_DAY
_LATEST_MS = 253_370_764_800_000


def first_date(*candidates: str | None) -> tuple[str | None, int | None]:
    """The first candidate that reads as a date, trimmed, and its milliseconds; when none
    does, the first that is not blank and None. An item's unreadable pubDate must not hide
    the readable dc:date beside it."""
    unreadable = None
    for raw in candidates:
        raw = raw.strip() if raw else None
        if not raw:
            continue
        millis = parse_date(raw)
        if millis is not None:
            return raw, millis
        unreadable = unreadable or raw
    return unreadable, None


def in_local_time(raw: str, millis: int, zone: tzinfo) -> int:
    """``millis`` as ``parse_date`` read ``raw``, read again in ``zone`` (the archive's)
    where ``raw`` leaves its zone open: a time of day with no zone ("2022-01-27 17:36",
    as Chinese CMSs write it) is a time in ``zone``, and "CST", which the RFC reads as US
    Central, is China Standard Time when ``zone`` is at UTC+8 then (Java's Date writes
    "Thu Jan 27 17:36:52 CST 2022" on a server in China)."""
    if _NAMES_ITS_ZONE.search(raw):
        return millis
    if _CST.search(raw):
        wall = millis + int(_ZONE_HOURS["CST"] * 3_600_000)
        china = _offset_ms(wall, zone) == _CHINA_STANDARD_HOURS * 3_600_000
        return wall - _offset_ms(wall, zone) if china else millis
    match = _matched(raw.strip())
    if match is None or not match["hour"] or match["zone"]:
        return millis  # a day alone keeps its day; a named zone is that zone
    return millis - _offset_ms(millis, zone)


def _matched(text: str) -> re.Match | None:
    """The pattern match ``read_date`` reads ``text`` by (the same patterns, in its order)."""
    text = _with_latin_meridiem(text)
    if text[:1].isdigit() and (match := _ISO.match(text) or _CHINESE.match(text)):
        return match
    return _RFC822.match(text) or _MONTH_FIRST.match(text)  # "05 Jan 2024" starts with a digit


def _offset_ms(wall_ms: int, zone: tzinfo) -> int:
    """``zone``'s offset from UTC at the wall-clock time ``wall_ms`` (ms as if in UTC)."""
    local = (_EPOCH_START + timedelta(milliseconds=wall_ms)).replace(tzinfo=zone)
    return int(local.utcoffset() / timedelta(milliseconds=1))


def parse_date(text: str | None) -> int | None:
    """UTC epoch milliseconds, or None when ``text`` is no date we can read, or none a news
    item can have: before 1971 (Go's zero time "0001-01-01T00:00:00Z", .NET's MinValue, a
    0 timestamp are "no date" written as one) or from the year 9999 on."""
    millis = read_date(text)
    return millis if millis is not None and _EARLIEST_MS <= millis < _LATEST_MS else None


def read_date(text: str | None) -> int | None:
    """As ``parse_date``, with any year from 1 to 9999 (a post's own date, at import)."""
    if not text:
        return None
    text = _with_latin_meridiem(text.strip())
    if not text:
        return None
    if text[0].isdigit():
        match = _ISO.match(text) or _CHINESE.match(text)
        millis = _from_fields(match, int(match["month"])) if match else None
        if millis is not None:
            return millis
        if _EPOCH.match(text):
            return int(text) * (1000 if len(text) <= 10 else 1)
    match = _RFC822.match(text) or _MONTH_FIRST.match(text)
    if match:
        month = _MONTHS.get(match["month"][:3].lower())
        return _from_fields(match, month, two_digit_years=True) if month else None
    return _from_email_utils(text)


def _with_latin_meridiem(text: str) -> str:
    """"下午3:05" as "3:05 PM", which the patterns read; 中午 (noon) is PM too."""
    if text.isascii():
        return text
    return _CHINESE_MERIDIEM.sub(
        lambda match: f"{match[3]} {'AM' if match[1] else 'PM'}", text)


def _from_fields(match: re.Match, month: int, two_digit_years: bool = False) -> int | None:
    year, day, hour, minute, second, fraction, zone, meridiem = match.group(*_FIELDS)
    year, day = int(year), int(day)
    if two_digit_years and len(match["year"]) < 4:
        year += 2000 if year < 50 else 1900  # RFC 2822 section 4.3
    hour = _hour_of_day(int(hour), meridiem) if hour else 0
    minute = int(minute) if minute else 0
    second = min(int(second), 59) if second else 0  # a leap second is the one before
    if not _valid(year, month, day, hour, minute):
        return None
    if not zone:
        offset = 0
    elif "/" in zone:
        offset = _named_zone_offset_ms(zone, datetime(year, month, day, min(hour, 23), minute))
    else:
        offset = _zone_offset_ms(zone)
        if offset is None:
            return None
    millis = int(fraction[:3].ljust(3, "0")) if fraction else 0
    return (_days_from_civil(year, month, day) * _MS_PER_DAY
            + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset)


def _hour_of_day(hour: int, meridiem: str | None) -> int:
    """The hour on a 24-hour clock; ``meridiem`` "a" or "p" (AM, PM) for a 12-hour one,
    where 12 AM is midnight and 12 PM noon. An hour of 0 or past 12 is on a 24-hour clock
    already: Java's "HH:mm a" writes "13:36 PM" and "00:30 AM"."""
    if meridiem is None or hour == 0 or hour > 12:
        return hour
    return hour % 12 + (12 if meridiem in "pP" else 0)


def _valid(year: int, month: int, day: int, hour: int, minute: int) -> bool:
    if not (1 <= year <= 9999 and 1 <= month <= 12 and hour <= 24 and minute <= 59):
        return False
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _zone_offset_ms(zone: str) -> int | None:
    """Milliseconds east of UTC; None for a zone that is no zone."""
    sign_at = zone.find("+")
    if sign_at < 0:
        sign_at = zone.find("-")
    if sign_at < 0:
        hours = _ZONE_HOURS.get(zone.upper())
        if hours is None:
            # RFC 2822: military zones and unknown names count as UTC; longer words are no zone.
            return 0 if len(zone) <= 5 and zone.isalpha() else None
        return int(hours * 3_600_000)
    digits = zone[sign_at + 1 :].replace(":", "").strip()
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 14 or minutes > 59:
        return None
    offset = (hours * 60 + minutes) * 60_000
    return -offset if zone[sign_at] == "-" else offset


def _named_zone_offset_ms(name: str, wall: datetime) -> int:
    """The offset of the IANA zone ``name`` at the wall-clock time ``wall``; an unknown
    name counts as UTC, as RFC 2822 counts an unknown zone."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(wall.replace(tzinfo=zone).utcoffset() / timedelta(milliseconds=1))


def _from_email_utils(text: str) -> int | None:
    try:
        parsed = parsedate_tz(text)
    except (ValueError, IndexError, TypeError, OverflowError):  # it raises on some junk
        return None
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    if not _valid(year, month, day, hour, minute):
        return None
    offset_seconds = parsed[9] or 0
    return (_days_from_civil(year, month, day) * _MS_PER_DAY
            + ((hour * 60 + minute) * 60 + min(second, 59) - offset_seconds) * 1000)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
