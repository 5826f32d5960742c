"""Keeps every article's clean HTML in step with the archive, and hands it to readers.

The sanitizer runs once per article version, not on every page build or export: the
clean HTML is stored (table clean_html) with the change_seq it was made from. As the
search index does, a watermark says up to which change_seq every article is cleaned;
``update_clean`` cleans the articles changed since. export and build call it first, so a
fetch never waits for it: cleaning happens off the fetch path, once, for new and changed
articles only. Another sanitizer (SANITIZER_VERSION) cleans everything again.

``displayed_contents`` is what the site and the export read: the stored clean HTML, or,
for an article that changed after the last update (a fetch running meanwhile), its
content cleaned on the spot.
"""

from collections.abc import Callable
from dataclasses import dataclass

from newsvault.content.attachments import attachments_html
from newsvault.content.media import picture_figure
from newsvault.content.sanitize import SANITIZER_VERSION, clean_html
from newsvault.model import OnProgress
from newsvault.store import SqliteStore
from newsvault.store.records import DisplaySource
from newsvault.workers import catch_up

BATCH = 200  # articles per transaction
_PROCESS_THRESHOLD = 400  # fewer are cleaned here: starting workers costs more

Cleaned = list[tuple[int, int, str]]  # (article id, change_seq, clean HTML)


@dataclass(slots=True)
class CleanReport:
    cleaned: int = 0  # articles whose clean HTML was made
    reset: bool = False  # the sanitizer changed: every article was cleaned again


def update_clean(store: SqliteStore, workers: int | None = None,
                 on_progress: OnProgress | None = None) -> CleanReport:
    """Clean the articles changed since the last update. ``workers``: processes that
    clean (default: one per core, for large updates only). ``on_progress`` hears after
    each batch stored (a first clean of a large archive takes a while)."""
    report = CleanReport()
    _, sanitizer = store.clean_state()
    if sanitizer != SANITIZER_VERSION:
        store.reset_clean(SANITIZER_VERSION)
        report.reset = bool(sanitizer)
    while not _clean_pending(store, workers, report, on_progress):
        pass  # another process moved the watermark: start again from where it is
    return report


def displayed_contents(store: SqliteStore, ids: list[int]) -> dict[int, str]:
    """Article id → the clean HTML it displays."""
    contents = dict(store.clean_contents(ids))
    missing = [article_id for article_id in ids if article_id not in contents]
    if missing:
        contents.update((article_id, html) for article_id, _, html
                        in clean_sources(store.display_sources(missing)))
    return contents


def clean_sources(sources: list[DisplaySource]) -> Cleaned:
    return [(source.article_id, source.change_seq, _displayed(source)) for source in sources]


def _displayed(source: DisplaySource) -> str:
    """The clean HTML; first, where it shows no image, the picture the item gave beside
    its content (a text-only article's only picture, often); after it, a player or a link
    for each file the item carries (a podcast's episode) that it does not play already."""
    html = clean_html(source.content_html, source.url)
    if source.image_url and "<img" not in html:
        html = clean_html(picture_figure(source.image_url), source.url) + html
    if source.attachments:
        html += clean_html(attachments_html(source.attachments, html), source.url)
    return html


def _clean_pending(store: SqliteStore, workers: int | None, report: CleanReport,
                   on_progress: OnProgress | None) -> bool:
    """False when another process cleaned meanwhile."""
    start = store.clean_state()[0]
    pending = store.changed_after(start)
    save = store.save_clean
    if on_progress and pending:
        save = _reporting(save, len(pending), on_progress)
    finished, cleaned = catch_up(store, start, pending, _clean_batch, save, BATCH,
                                 _PROCESS_THRESHOLD, workers)
    report.cleaned += cleaned
    return finished


def _reporting(save: Callable[[int, int, Cleaned], bool], total: int,
               on_progress: OnProgress) -> Callable[[int, int, Cleaned], bool]:
    done = 0

    def save_and_report(expected_seq: int, new_seq: int, cleaned: Cleaned) -> bool:
        nonlocal done
        saved = save(expected_seq, new_seq, cleaned)
        if saved:
            done += len(cleaned)
            on_progress(done, total)
        return saved

    return save_and_report


def _clean_batch(store: SqliteStore, ids: list[int]) -> Cleaned:
    return clean_sources(store.display_sources(ids))
