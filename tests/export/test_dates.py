"""The date a post is filed under."""

from types import SimpleNamespace

from newsvault.export.dates import post_date_ms, post_day

SEEN = 1_643_276_212_404  # 2022-01-27T09:36:52.404Z


def row(published_ms):
    return SimpleNamespace(published_ms=published_ms, first_seen_ms=SEEN, post_layout=None)


def test_the_published_time_unless_missing_or_later_than_first_seen():
    assert post_date_ms(row(SEEN - 1000)) == SEEN - 1000
    assert post_date_ms(row(None)) == SEEN
    assert post_date_ms(row(SEEN + 1000)) == SEEN


def test_a_date_before_1970_an_older_version_stored_is_no_date():
    """Go's zero time (0001-01-01), which an older newsvault kept: the post and the site
    would fail on it, every post of every source with them."""
    zero_time = -62_135_596_800_000
    assert post_date_ms(row(zero_time)) == SEEN
    assert post_day(row(zero_time)) == "2022-01-27"
