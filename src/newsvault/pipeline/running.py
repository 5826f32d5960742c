"""``newsvault run``: fetch, then the configured exports; once, or on a schedule."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsvault.archive import Archive
from newsvault.errors import ConfigError
from newsvault.model import FetchOutcome, OnProgress
from newsvault.pipeline.fetching import OnOutcome, fetch_sources
from newsvault.pipeline.fulltext import extract_rules

if TYPE_CHECKING:
    from newsvault.export.jekyll import ExportReport
    from newsvault.pipeline.media import MediaReport
    from newsvault.site import BuildReport


@dataclass
class RunReport:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    media: "MediaReport | None" = None
    jekyll: "ExportReport | None" = None
    site: "BuildReport | None" = None

    @property
    def failed(self) -> bool:
        return any(outcome.failed for outcome in self.outcomes)


def select_sources(archive: Archive, names: tuple[str, ...]):
    sources = archive.store.configured_sources()
    if not names:
        return sources
    by_name = {source.name: source for source in sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(
            f"no source named {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(by_name) or 'none'} (see `newsvault sources`)"
        )
    return [by_name[name] for name in names]


def fetch(archive: Archive, names: tuple[str, ...] = (), on_outcome: OnOutcome | None = None):
    sources = select_sources(archive, names)
    configured = {source.name: source for source in archive.settings.sources}
    for source in sources:
        source.full_text = configured[source.name].full_text
    return fetch_sources(archive.store, archive.settings.fetch, sources,
                         forced=bool(names), on_outcome=on_outcome,
                         extract_rules=extract_rules(archive.settings.sources))


def fetch_media(archive: Archive) -> "MediaReport":
    """The images of the articles stored so far (pipeline/media.py)."""
    from newsvault.pipeline.media import download_media  # HTTP: only when there is work

    return download_media(archive.store, archive.root, archive.settings.media,
                          archive.settings.fetch)


def run_once(archive: Archive, names: tuple[str, ...] = (),
             on_outcome: OnOutcome | None = None, images: bool = True,
             on_clean_progress: OnProgress | None = None,
             on_build_progress: OnProgress | None = None,
             report: RunReport | None = None) -> RunReport:
    """Fetch, then the images, the search index and the configured exports. The
    ``on_*`` callbacks hear of progress: each source, the articles cleaned for the
    exports (a first run after an import cleans them all), the site's pages.
    ``report`` is filled as the stages finish: when a later one fails, it still tells
    what the earlier ones did."""
    # the later stages are imported here: `fetch` alone, and the start of HTTP, need none
    from newsvault.export.jekyll import export_jekyll
    from newsvault.search import update_index

    report = report if report is not None else RunReport()
    report.outcomes = fetch(archive, names, on_outcome)
    if images and archive.settings.media.download:
        report.media = fetch_media(archive)
    # The search index is its own stage: `fetch` alone leaves it behind (a search catches
    # it up), so that storing never waits for tokenizing.
    update_index(archive.store)
    jekyll = archive.settings.jekyll
    if jekyll.enabled:
        report.jekyll = export_jekyll(archive.store, archive.resolve(jekyll.out), raw=jekyll.raw,
                                      zone=archive.zone, on_clean_progress=on_clean_progress)
    if archive.settings.build.enabled:
        from newsvault.site import build_archive_site  # Jinja2 and the templates: only here

        report.site = build_archive_site(archive, on_progress=on_build_progress,
                                         on_clean_progress=on_clean_progress)
    return report


def every(interval_s: float, tick: Callable[[], None], ticks: int | None = None,
          sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
          on_wait: Callable[[float], None] | None = None):
    """Call ``tick`` on a fixed schedule. Ticks missed while one ran long are dropped,
    never run late in a burst, and never overlap (one process, one tick at a time).
    ``on_wait`` hears how many seconds remain before the next tick."""
    start = clock()
    done = 0
    while ticks is None or done < ticks:
        tick()
        done += 1
        elapsed = clock() - start
        next_slot = (int(elapsed // interval_s) + 1) * interval_s
        if ticks is None or done < ticks:
            if on_wait:
                on_wait(next_slot - elapsed)
            sleep(next_slot - elapsed)
