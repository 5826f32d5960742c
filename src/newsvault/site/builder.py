"""``newsvault build``: the archive as a static site, rendered incrementally.

Every page has a digest of what it shows (pages.py). The output folder keeps its state,
``.newsvault-build``: each page's digest from the last build, and the catalog of articles
the pages came from (so that a build reads from the store only the articles changed
since). A build renders only the pages whose digest changed, writes only files whose bytes
changed, and deletes the pages that no longer exist. The state lives with the pages it
describes rather than in the archive: a folder wiped, copied or built anew with ``--out``
can never disagree with its own state, and several output folders need no bookkeeping.
The state is keyed by article id and change_seq, which mean something only in the database
they came from: it names that database (its archive id), and a build from another one (a
database rebuilt from the exported posts numbers its articles anew) or from one whose
changes went back (an older copy) renders every page, as ``--full`` does.

Content is never held for the whole archive: article pages are rendered in chunks, by
worker processes (one per core) that read their articles' content from the store.
"""

import gc
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from jinja2 import TemplateError, TemplateSyntaxError

from newsvault.archive import Archive
from newsvault.content.clean import displayed_contents, update_clean
from newsvault.content.sanitize import SANITIZER_VERSION, clean_html
from newsvault.content.assets import media_scratch, publish_asset, relink_jekyll_images
from newsvault.content.media import rewrite_images
from newsvault.errors import NewsvaultError
from newsvault.files import scratch_folder, scratch_space, write_atomic
from newsvault.model import OnProgress
from newsvault.site import i18n, paths
from newsvault.site.catalog import LocalTime, SiteArticle, load_catalog, name_unnamed_posts
from newsvault.site.pages import FeedView, Page, plan_pages
from newsvault.site.search_index import update_search_index
from newsvault.site.state import BuildState
from newsvault.site.render import PACKAGE_STATIC, PACKAGE_TEMPLATES, Renderer, SiteOptions, article_job
from newsvault.store import ArchivedVersion, SqliteStore, open_store
from newsvault.workers import exit_with_parent

if TYPE_CHECKING:
    from concurrent.futures import Future

THEME_DIR = "theme"  # in the archive: templates and assets that replace the package's
MANIFEST_FORMAT = 1
ASSETS = "assets/"
CHUNK = 64  # article pages per task for a worker
_POOL_THRESHOLD = 400  # fewer article pages are rendered here: starting workers costs more


class SiteError(NewsvaultError):
    """The site could not be built (a template failed); the message says which."""


@dataclass(slots=True)
class BuildReport:
    out: str
    pages: int = 0  # in the site
    rendered: int = 0  # pages whose digest had changed
    written: int = 0  # files created or changed
    deleted: int = 0  # pages gone from the site
    seconds: float = 0.0
    rebuilt: str = ""  # why every page was rendered though not asked to ("": it was not)


def build_site(store: SqliteStore, out_dir: Path, options: SiteOptions, full: bool = False,
               workers: int | None = None, on_progress: OnProgress | None = None,
               on_clean_progress: OnProgress | None = None) -> BuildReport:
    """Bring the site in ``out_dir`` up to date with the archive (every page with ``full``).
    ``on_progress`` hears of the pages rendered, ``on_clean_progress`` of the articles
    cleaned first (``update_clean``)."""
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(out=str(out))
    update_clean(store, on_progress=on_clean_progress)
    name_unnamed_posts(store, ZoneInfo(options.timezone))
    archive_id = store.archive_id()
    with _long_lived_objects() as loaded:
        state = BuildState.load(out)
        report.rebuilt = "" if full else _not_built_from(state, archive_id, store)
        full = full or bool(report.rebuilt)
        catalog, catalog_cache, changed = load_catalog(
            store, options.timezone, None if full else state.catalog,
            i18n.words(options.language)["untitled"])
        site_fingerprint = fingerprint(options)
        pages = plan_pages(catalog, store.source_statuses(), site_fingerprint)
        loaded()
        # The state is trusted: a page deleted by hand comes back with --full.
        dirty = pages if full else [page for page in pages
                                    if state.pages.get(page.path) != page.digest]
        report.pages, report.rendered = len(pages), len(dirty)
        writer = _Writer(str(out))
        with scratch_space(writer.scratch, media_scratch(out)):
            report.written += _write_assets(writer, options)
            report.written += _render(store, options, writer, dirty, workers, on_progress)
            report.deleted = _delete_stale(out, state.pages, pages)
            search_state, written = update_search_index(
                store, catalog.articles, out, writer, None if full else state.search,
                site_fingerprint, workers)
            report.written += written
        if (dirty or report.deleted or changed != [] or search_state != state.search
                or state.archive != archive_id):
            state.save(out, _page_digests(pages), catalog_cache, changed, search_state,
                       archive_id)
            if not (out / ".nojekyll").exists():
                (out / ".nojekyll").touch()  # GitHub Pages: serve the folder as it is
    report.seconds = time.perf_counter() - started
    return report


def _not_built_from(state: BuildState, archive_id: str, store: SqliteStore) -> str:
    """Why the folder's state cannot be trusted for this database ("": it can)."""
    if state.catalog is None:
        return ""  # no state: every page is made anyway
    if state.archive is None:
        return "the last build did not record its database"
    if state.archive != archive_id:
        return "the last build was made from another database"
    if state.catalog.get("seq", 0) > store.current_seq():
        return "the database is older than the last build"
    newest = state.catalog.get("newest")  # an article's changes only ever go on
    if newest and (store.change_seq_of(newest[0]) or 0) < newest[1]:
        return "the database is an older copy than the last build's, changed since"
    return ""


@contextmanager
def _long_lived_objects() -> Iterator[Callable[[], None]]:
    """No cyclic garbage collection until ``loaded()`` is called; then what was made so far
    is frozen (the collector no longer looks at it) until the end of the block. The state,
    catalog and plan are hundreds of thousands of objects that live for the whole build and
    hold no cycles: the collector walked them again and again while they were made."""
    collecting = gc.isenabled()
    gc.disable()

    def loaded() -> None:
        gc.freeze()
        if collecting:
            gc.enable()

    try:
        yield loaded
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _render(store: SqliteStore, options: SiteOptions, writer: "_Writer", dirty: list[Page],
            workers: int | None, on_progress: OnProgress | None) -> int:
    try:
        return _render_all(store, options, writer, dirty, workers, on_progress)
    except TemplateError as error:  # most likely a theme's template
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, TemplateSyntaxError) else ""
        raise SiteError(f"site: a template failed: {where}{error}") from None


def fingerprint(options: SiteOptions) -> str:
    """What every page depends on: the settings, the templates and assets (the theme's
    where it has them), this package's code and the sanitizer that made the articles' HTML."""
    hasher = blake2b(digest_size=12)
    hasher.update(repr((MANIFEST_FORMAT, options, SANITIZER_VERSION)).encode())
    for path in sorted(_theme_files(options).values()) + sorted(Path(__file__).parent.glob("*.py")):
        hasher.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def _theme_files(options: SiteOptions) -> dict[str, Path]:
    """Template and asset names → the file used: the theme's, else the package's."""
    files = {path.name: path for folder in (PACKAGE_TEMPLATES, PACKAGE_STATIC)
             for path in folder.iterdir() if path.is_file()}
    if options.theme_dir:
        for name in list(files):
            override = Path(options.theme_dir) / name
            if override.is_file():
                files[name] = override
    return files


def _write_assets(writer: "_Writer", options: SiteOptions) -> int:
    files = _theme_files(options)
    statics = [path.name for path in PACKAGE_STATIC.iterdir() if path.is_file()]
    return sum(writer.write(ASSETS + name, files[name].read_bytes()) for name in sorted(statics))


# -- rendering -----------------------------------------------------------------------------


def _render_all(store: SqliteStore, options: SiteOptions, writer: "_Writer", dirty: list[Page],
                workers: int | None, on_progress: OnProgress | None) -> int:
    articles = [page for page in dirty if page.template == "article.html"]
    others = [page for page in dirty if page.template != "article.html"]
    progress = _Progress(len(dirty), on_progress)
    words = i18n.words(options.language)
    jobs = [article_job(page.data.view(), words) for page in articles]
    chunks = [jobs[start:start + CHUNK] for start in range(0, len(jobs), CHUNK)]
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers > 1 and len(jobs) >= _POOL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor  # here: one new article needs no pool
        from multiprocessing import get_context

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                 initializer=_start_worker,
                                 initargs=(str(store.path), options, writer.root,
                                           os.getpid())) as pool:
            futures = [pool.submit(_render_chunk, chunk) for chunk in chunks]
            for future, chunk in zip(futures, chunks):
                future.add_done_callback(_advance(progress, len(chunk)))
            try:
                written = _render_others(store, options, writer, others, progress)
                return written + sum(future.result() for future in futures)
            except BaseException:  # Ctrl-C, SIGTERM: the chunks not started are not rendered
                pool.shutdown(cancel_futures=True)
                raise
    renderer = Renderer(options)
    written = 0
    for chunk in chunks:
        written += _render_articles(store, renderer, writer, chunk)
        progress.advance(len(chunk))
    return written + _render_others(store, options, writer, others, progress)


def _advance(progress: "_Progress", count: int) -> Callable[["Future"], None]:
    return lambda future: (progress.advance(count)
                           if not future.cancelled() and not future.exception() else None)


def _render_others(store: SqliteStore, options: SiteOptions, writer: "_Writer",
                   pages: list[Page], progress: "_Progress") -> int:
    renderer = Renderer(options)
    written = 0
    for page in pages:
        contents = None
        if isinstance(page.data, FeedView):
            contents = displayed_contents(store, [a.id for a in page.data.articles])
        written += writer.write(page.path, renderer.render(page, contents).encode())
        progress.advance(1)
    return written


def _render_articles(store: SqliteStore, renderer: Renderer, writer: "_Writer",
                     jobs: list[dict]) -> int:
    contents = displayed_contents(store, [job["id"] for job in jobs])
    images = _LocalImages(store, writer.root, renderer.options.assets == "local", list(contents))
    for job in jobs:
        contents[job["id"]] = images.apply(job, contents[job["id"]])
    earlier = _earlier_versions(store, images, jobs, renderer.options.timezone)
    return sum(writer.write(job["path"], renderer.render_article(
        job, contents[job["id"]], earlier.get(job["id"], ())).encode()) for job in jobs)


def _earlier_versions(store: SqliteStore, images: "_LocalImages", jobs: list[dict],
                      timezone_name: str) -> dict[int, list[dict]]:
    """What the revised articles among ``jobs`` showed before, newest first, cleaned and
    their images shown as their current content's are."""
    revised = {job["id"]: job for job in jobs if job["revisions"] > 1}
    if not revised:
        return {}
    local = LocalTime(ZoneInfo(timezone_name))
    return {article_id: [_shown_version(images, revised[article_id], version, local)
                         for version in versions]
            for article_id, versions in store.earlier_versions(list(revised)).items()}


def _shown_version(images: "_LocalImages", job: dict, version: ArchivedVersion,
                   local: LocalTime) -> dict:
    body = images.apply(job, clean_html(version.content_html, job["content_url"]))
    return {"title": version.title, "body": body, "seen_ms": version.seen_ms,
            "date_text": local.text(version.seen_ms)}


class _LocalImages:
    """Points pages' images at the archive's copies (with ``local``), put in the site next
    to them (``assets/media/…``, linked relative to each page, so the site works from any
    path and from disk). Only pages being rendered: an image stored later makes its
    article's page render again. Links to copies that a Jekyll export wrote and an import
    brought back are made relative too (their remote URL is gone)."""

    def __init__(self, store: SqliteStore, root: str, local: bool, article_ids: list[int]):
        self.stored = store.local_media(article_ids) if local else {}
        self.archive_root, self.site_root = Path(store.path).parent, Path(root)

    def apply(self, job: dict, content: str) -> str:
        up = paths.root_of(job["path"])
        content, files = relink_jekyll_images(content, up)
        images = self.stored.get(job["id"])
        if images:
            content = rewrite_images(content, job["content_url"],
                                     {url: up + relative for url, relative in images.items()})
            files.update(images.values())
        for relative in files:
            publish_asset(self.archive_root, self.site_root, relative)
        return content


_worker: tuple[SqliteStore, Renderer, "_Writer"] | None = None


def _start_worker(db_path: str, options: SiteOptions, root: str, parent_pid: int) -> None:
    global _worker
    exit_with_parent(parent_pid)
    _worker = (open_store(Path(db_path)), Renderer(options), _Writer(root))


def _render_chunk(jobs: list[dict]) -> int:
    store, renderer, writer = _worker
    return _render_articles(store, renderer, writer, jobs)


class _Progress:
    """Counts pages done; workers' chunks are counted from the pool's thread."""

    def __init__(self, total: int, on_progress: OnProgress | None):
        self.total, self.done, self.on_progress = total, 0, on_progress
        self._lock = threading.Lock()

    def advance(self, count: int) -> None:
        with self._lock:
            self.done += count
            if self.on_progress:
                self.on_progress(self.done, self.total)


class _Writer:
    """Writes a page only when its bytes changed (its mtime says when it last did); a
    changed page is replaced atomically, a new one written in place."""

    def __init__(self, root: str):
        self.root, self.scratch = root, scratch_folder(root)
        self._folders: set[str] = set()

    def write(self, path: str, data: bytes) -> bool:
        full = os.path.join(self.root, path)
        if self._new_folder(os.path.dirname(full)):
            with open(full, "wb") as stream:
                stream.write(data)
            return True
        if _same_bytes(full, data):
            return False
        write_atomic(full, data, self.scratch)
        return True

    def _new_folder(self, folder: str) -> bool:
        """Makes ``folder`` unless it is there; True when it was not (nothing inside yet)."""
        if folder in self._folders:
            return False
        self._folders.add(folder)
        try:
            os.mkdir(folder)
        except FileExistsError:
            return False
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        return True


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as existing:
            return existing.read() == data
    except FileNotFoundError:
        return False


# -- state ---------------------------------------------------------------------------------


def _page_digests(pages: list[Page]) -> Iterator[tuple[str, str, int | None]]:
    for page in pages:
        article = page.data.article if page.template == "article.html" else None
        yield page.path, page.digest, article.id if article else None


def article_pages(out: Path, archive_id: str | None = None) -> dict[int, str]:
    """Article id → its page, from the last build of ``out`` (empty before one, or when
    that build was made from another database than the one of ``archive_id``, if given)."""
    state = BuildState.load(Path(out))
    catalog = state.catalog if archive_id is None or state.archive == archive_id else None
    catalog = catalog or {"articles": {}}
    return {article_id: SiteArticle(*fields).path
            for article_id, fields in catalog["articles"].items()}


def _delete_stale(out: Path, previous: dict[str, str], pages: list[Page]) -> int:
    current = {page.path for page in pages}
    deleted = 0
    for path in previous:
        if path in current:
            continue
        target = out / path
        target.unlink(missing_ok=True)
        deleted += 1
        _remove_empty_folders(target.parent, out)
    return deleted


def _remove_empty_folders(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def site_options(archive: Archive, assets: str = "local") -> SiteOptions:
    settings = archive.settings
    theme = archive.root / THEME_DIR
    return SiteOptions(title=settings.title, language=settings.language,
                       base_url=settings.base_url, timezone=settings.timezone,
                       theme_dir=str(theme) if theme.is_dir() else None, assets=assets)


def build_archive_site(archive: Archive, out_dir: Path | None = None, full: bool = False,
                       on_progress: OnProgress | None = None,
                       assets: str = "local",
                       on_clean_progress: OnProgress | None = None) -> BuildReport:
    """``build_site`` with the archive's settings, into ``build.out`` unless told.
    ``assets``: "local" shows the images stored in the archive, "remote" the originals."""
    out = Path(out_dir) if out_dir else archive.resolve(archive.settings.build.out)
    return build_site(archive.store, out, site_options(archive, assets), full=full,
                      on_progress=on_progress, on_clean_progress=on_clean_progress)
