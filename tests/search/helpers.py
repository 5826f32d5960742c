"""Helpers for the search tests: archive our own small articles as a fetch would."""

from newsvault.model import Entry
from newsvault.store import FetchRecord

BASE_MS = 1_643_276_212_404  # 2022-01-27T09:36:52.404Z


def save(store, source_name: str, entries: list[Entry], at: int = BASE_MS) -> None:
    """Archive ``entries`` as a fetch of ``source_name`` would."""
    source = {source.name: source for source in store.configured_sources()}[source_name]
    store.save_fetch(source, entries, FetchRecord(at, at, "ok", 200, items=len(entries)))


def entry(n: int, title: str, html: str, **changes) -> Entry:
    values = dict(title=title, url=f"http://a.test/story/{n}", guid=f"guid-{n}",
                  content_html=html, published_ms=BASE_MS - n * 60_000)
    values.update(changes)
    return Entry(**values)
