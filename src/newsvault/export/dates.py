"""The date a post is filed under, as the Jekyll export writes it (the site's permalinks
come from it too; kept apart from the export so that the site needs no YAML)."""

from newsvault.clock import iso_ms
from newsvault.store import ExportRow


def post_date_ms(row: ExportRow) -> int:
    """The published time, unless the feed gave none or one later than when we first saw it
    (or one before 1970, which an older newsvault could store: Go's zero time)."""
    published = row.published_ms
    if published is None or published > row.first_seen_ms or published < 0:
        return row.first_seen_ms
    return published


def post_day(row: ExportRow) -> str:
    """YYYY-MM-DD of the post's ``date:``: an imported post's own, else ``post_date_ms``."""
    layout = row.post_layout
    return (layout["date"] if layout else iso_ms(post_date_ms(row)))[:10]
