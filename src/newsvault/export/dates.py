"""The date a post is filed under, as the Jekyll export writes it (the site's permalinks
come from it too; kept apart from the export so that the site needs no YAML)."""

from datetime import date, datetime, timedelta, tzinfo

from newsvault.clock import iso_ms, shown
from newsvault.feeds.dates import read_date
from newsvault.store import ExportRow, SqliteStore


def post_date_ms(row: ExportRow) -> int:
    """The published time, unless the feed gave none or one later than when we first saw it
    (or one before 1970, which an older newsvault could store: Go's zero time)."""
    return _written_ms(row.published_ms, row.first_seen_ms)


def _written_ms(published_ms: int | None, first_seen_ms: int) -> int:
    if published_ms is None or published_ms > first_seen_ms or published_ms < 0:
        return first_seen_ms
    return published_ms


def post_day(row: ExportRow) -> str:
    """YYYY-MM-DD of the post's ``date:``: an imported post's own, else ``post_date_ms``."""
    layout = row.post_layout
    return (layout["date"] if layout else iso_ms(post_date_ms(row)))[:10]


def local_post_day(row: ExportRow, zone: tzinfo) -> str:
    """The day Jekyll puts in the post's URL in a site whose ``timezone`` is ``zone``: the
    day its ``date:`` falls on there."""
    layout_date = row.post_layout["date"] if row.post_layout else None
    return _local_day(layout_date, row.published_ms, row.first_seen_ms, zone)


def _local_day(layout_date: str | None, published_ms: int | None, first_seen_ms: int,
               zone: tzinfo) -> str:
    written = read_date(layout_date) if layout_date else _written_ms(published_ms, first_seen_ms)
    if written is None:  # an imported date no reader takes: its file name's day is used
        return (layout_date or "")[:10]
    return datetime.fromtimestamp(shown(written) / 1000, zone).date().isoformat()


class PostsByLocalDay:
    """``(day)`` → the names of the archived posts whose date falls on that day in ``zone``
    (their file names carry a day at most one away from it)."""

    def __init__(self, store: SqliteStore, zone: tzinfo):
        self.store, self.zone = store, zone

    def __call__(self, day: str) -> list[str]:
        try:
            middle = date.fromisoformat(day)
        except ValueError:
            return []
        first, end = middle - timedelta(days=1), middle + timedelta(days=2)
        rows = self.store.post_dates_named(first.isoformat(), end.isoformat())
        return [name for name, layout_date, published_ms, first_seen_ms in rows
                if _local_day(layout_date, published_ms, first_seen_ms, self.zone) == day]
