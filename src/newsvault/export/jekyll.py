"""Jekyll posts out of the archive, in the old system's format (see export/post.py).

Incremental: each output folder remembers the last change it has seen, so a run writes
only new or changed articles (and any post file that went missing). Atomic: every file
is written to a temporary name and renamed. File names are given once and kept, so an
article whose title is later edited keeps its file.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timezone, tzinfo
from pathlib import Path

from newsvault.clock import iso_ms
from newsvault.content.clean import displayed_contents, update_clean
from newsvault.content.sanitize import SANITIZER_VERSION
from newsvault.content.assets import JEKYLL_PREFIX, media_scratch, publish_asset
from newsvault.content.media import rewrite_images
from newsvault.export.dates import PostsByLocalDay, local_post_day, post_date_ms, post_day
from newsvault.errors import ImportError_
from newsvault.export.filenames import TakenNames, fold_name, post_filename, unsafe_reason
from newsvault.export.jekyll_import import read_front_matter
from newsvault.export.post import Post, liquid_safe_bytes, render_post, url_safe_category
from newsvault.files import (
    SCRATCH, remove_leftovers, scratch_folder, scratch_space, write_atomic,
)
from newsvault.links import web_link
from newsvault.model import OnProgress
from newsvault.search.text import plain_text
from newsvault.store import ExportRow, SqliteStore
from newsvault.store.identity import canonical_url, scheme_blind
from newsvault.titles import shown_title


# Part of each output folder's record: a new value has every post rendered once more (and
# written where it changed). " posts 2": Liquid finds no tag in an article (post.liquid_safe);
# " posts 3": a category Jekyll can put in a URL (post.url_safe_category); " posts 4": and
# one with "scheme://" or "?" too, and a title line Markdown cannot read as a link definition;
# " posts 5": an article without a title is titled by the start of its text.
POST_FORMAT = " posts 5"


@dataclass(slots=True)
class ExportReport:
    written: int = 0  # files created or changed
    unchanged: int = 0  # rendered, identical to the file on disk
    posts: int = 0  # articles that have a post in the folder now
    out: str = ""
    cleaned: int = 0  # articles whose clean HTML was made first
    adopted: int = 0  # new articles that took over a post file the archive did not know


def export_jekyll(store: SqliteStore, out_dir: Path, raw: bool = False,
                  full: bool = False, assets: str = "local",
                  on_clean_progress: OnProgress | None = None,
                  zone: tzinfo = timezone.utc) -> ExportReport:
    """Write the articles changed since the last export into ``out_dir`` (all with ``full``).

    The posts carry the clean HTML (content/), or with ``raw`` the HTML exactly as the
    source gave it. Each form is tracked as an output of its own, the clean one per
    sanitizer: another sanitizer rewrites every post whose clean HTML it changes.
    ``assets="local"`` (not with ``raw``): images stored in the archive are put in the
    Jekyll site (the folder above ``out_dir``) under assets/media/ and linked there.
    ``on_clean_progress``: see ``update_clean``. ``zone``: the site's time zone, in which
    Jekyll dates the posts' URLs (a new post's name is unique on that day too).
    """
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    local = assets == "local" and not raw
    target = (f"jekyll:raw{POST_FORMAT}:{out_dir}" if raw else
              f"jekyll:clean {SANITIZER_VERSION}{POST_FORMAT}{'' if local else ' remote'}:{out_dir}")
    cleaned = update_clean(store, on_progress=on_clean_progress).cleaned if not raw else 0
    seq, sources = store.current_seq(), store.source_post_digests()
    after_seq = 0 if full else store.export_seq(target)
    on_disk = _files_under(out_dir)
    adopted = _name_new_posts(store, after_seq, out_dir, on_disk, zone)
    named = [(article_id, post_path(name, subfolder))
             for article_id, name, subfolder in store.post_names()]
    report = ExportReport(out=str(out_dir), cleaned=cleaned, posts=len(named), adopted=adopted)
    folder, scratch = str(out_dir), scratch_folder(out_dir)
    # what a killed export left at the top (before scratch folders existed)
    remove_leftovers(folder, [name for name in on_disk if "/" not in name])
    images = _LocalImages(store, out_dir.parent) if local else None
    scratches = (scratch, media_scratch(out_dir.parent)) if local else (scratch,)
    written_sources = store.export_source_digests(target)
    restyled = _posts_of_changed_sources(store, written_sources, sources)
    with scratch_space(*scratches):
        for row in _rows_to_write(store, named, on_disk, after_seq, restyled, clean=not raw):
            _finish_content(store, row, raw, images)
            data, path = _file_bytes(row), _row_path(row)
            if _write_if_changed(folder, path, data, path in on_disk, scratch):
                report.written += 1
            else:
                report.unchanged += 1
    store.set_export_seq(target, seq)
    if written_sources != sources:
        store.set_export_source_digests(target, sources)
    return report


def _posts_of_changed_sources(store: SqliteStore, written: dict[int, str],
                              sources: dict[int, str]) -> set[int]:
    """The articles whose posts carry a source's name or tags that changed since this
    output folder was last written (none the first time: every post is written then)."""
    changed = [source_id for source_id, digest in sources.items()
               if written.get(source_id, digest) != digest]
    return set(store.posted_articles_of(changed)) if changed else set()


def _finish_content(store: SqliteStore, row: ExportRow, raw: bool,
                    images: "_LocalImages | None") -> None:
    """Clean first, then point images at local copies: the sanitizer keeps those links.
    An imported Markdown post keeps its body exactly as read, in every export."""
    if keeps_markdown(row):
        if row.markdown is not None:  # a clean export: the body as read, not the clean HTML
            row.content_html = row.markdown
        return
    if not raw and not row.clean:  # changed after update_clean (a fetch meanwhile)
        # as the site shows it: with the item's picture and files
        row.content_html = displayed_contents(store, [row.id])[row.id].encode("utf-8")
    if images is not None:
        images.apply(row)


class _LocalImages:
    """Points posts' images at the archive's copies, copied into the Jekyll site's
    assets/media/ and linked from the site's root: ``{{ site.baseurl }}/assets/media/…``
    works at any base URL and with any permalink style."""

    def __init__(self, store: SqliteStore, site_root: Path):
        self.stored = store.local_media()
        self.archive_root, self.site_root = Path(store.path).parent, site_root

    def apply(self, row: ExportRow) -> None:
        images = self.stored.get(row.id)
        if not images:
            return
        for relative in set(images.values()):
            publish_asset(self.archive_root, self.site_root, relative)
        html = row.content_html
        text = html.decode("utf-8") if isinstance(html, bytes) else html
        text = rewrite_images(text, row.url, {url: JEKYLL_PREFIX + relative
                                              for url, relative in images.items()})
        row.content_html = text.encode("utf-8") if isinstance(html, bytes) else text


def post_path(name: str, subfolder: str | None) -> str:
    """Where a post goes in the output folder: in the subfolder an imported post came
    from (Jekyll reads _posts/ and its subfolders alike), never outside the folder."""
    if not subfolder:
        return name
    parts = subfolder.split("/")
    if any(part in ("", ".", "..") or unsafe_reason(part) for part in parts):
        return name
    return f"{subfolder}/{name}"


def _row_path(row: ExportRow) -> str:
    return post_path(row.post_name, (row.post_layout or {}).get("folder"))


def _files_under(out_dir: Path) -> set[str]:
    """The files in ``out_dir`` and its subfolders, as paths relative to it ("a/b.md"),
    the scratch folder aside."""
    found = set()
    for folder, folders, files in os.walk(out_dir):
        folders[:] = [name for name in folders if name != SCRATCH]
        relative = os.path.relpath(folder, out_dir)
        prefix = "" if relative == os.curdir else Path(relative).as_posix() + "/"
        found.update(prefix + name for name in files)
    return found


def _rows_to_write(store: SqliteStore, named: list[tuple[int, str]], on_disk: set[str],
                   after_seq: int, also: set[int], clean: bool) -> Iterator[ExportRow]:
    """The articles changed since ``after_seq``, then those whose file has gone missing and
    those ``also`` named; streamed, one in memory at a time. ``named``: (article id, post
    name) of them all."""
    others = also | {article_id for article_id, name in named if name not in on_disk}
    for row in store.export_rows(after_seq=after_seq, content_bytes=True, clean=clean):
        others.discard(row.id)
        yield row
    if others:
        yield from store.export_rows(only_ids=sorted(others), content_bytes=True, clean=clean)


def _name_new_posts(store: SqliteStore, after_seq: int, out_dir: Path,
                    on_disk: set[str], zone: tzinfo) -> int:
    """Give file names to posts that have none, and record them before any file is written,
    so a run killed half-way gives the same names next time. Returns how many took over a
    post file the archive did not know (see ``_StrayPosts``)."""
    unnamed = list(store.export_rows(after_seq=after_seq, unnamed=True))
    if not unnamed:
        return 0
    archived = store.taken_post_names()
    # a name taken in a subfolder too: Jekyll would give both posts one URL
    taken = TakenNames(archived | {name.rpartition("/")[2] for name in on_disk},
                       local_names=PostsByLocalDay(store, zone))
    strays = _StrayPosts(out_dir, on_disk, archived)
    names = [(strays.post_of(row) or post_filename(post_day(row), row.title, taken,
                                                   local_day=local_post_day(row, zone)),
              row.id)
             for row in unnamed]
    store.set_post_names(names)
    return strays.adopted


class _StrayPosts:
    """The post files at the top of the output folder that no article of the archive is
    written to: the archive is older than the folder (an older newsvault.db restored, a
    fresh clone of the site without its database). A new article takes over the one that
    is its post (its ``from:`` has the article's link), whatever its name (the title or
    the date may have changed since it was written), instead of becoming a second post.
    Read only when there are such files, and only their front matter, once."""

    def __init__(self, out_dir: Path, on_disk: set[str], archived: set[str]):
        known = {fold_name(name) for name in archived}
        self.out_dir = out_dir
        self.files = [name for name in on_disk
                      if "/" not in name and fold_name(name) not in known]
        self._by_link: dict[str, str] | None = None
        self.adopted = 0

    def post_of(self, row: ExportRow) -> str | None:
        """The stray post file of ``row``'s article, taken over; None when it has none."""
        link = canonical_url(web_link(row.url))
        if not link or not self.files:
            return None
        own = self._index().pop(scheme_blind(link), None)
        if own:
            self.adopted += 1
        return own

    def _index(self) -> dict[str, str]:
        if self._by_link is None:
            self._by_link = {}
            for name in sorted(self.files, reverse=True):  # of two, the first name wins
                if link := canonical_url(self._link_of(name)):
                    self._by_link[scheme_blind(link)] = name
        return self._by_link

    def _link_of(self, name: str) -> str | None:
        try:
            front, _ = read_front_matter(str(self.out_dir / name))
        except (OSError, UnicodeDecodeError, ImportError_):
            return None
        return front.url


def keeps_markdown(row: ExportRow) -> bool:
    """An imported post whose body is the user's own Markdown (jekyll_import), not revised
    by a feed since: its body goes out as read, never through the HTML sanitizer."""
    layout = row.post_layout
    return bool(layout and layout.get("markdown")) and not _revised(row, layout)


def _revised(row: ExportRow, layout: dict) -> bool:
    """A feed gave the imported article a new version: its content is the feed's HTML."""
    return row.revisions > layout.get("revisions", row.revisions)


def post_for(row: ExportRow) -> Post:
    # the comment keeps the feed's own time, even a future one; never NaN
    comment_ms = row.published_ms if row.published_ms is not None else row.first_seen_ms
    layout = row.post_layout
    if layout:  # imported: written back the way the old system wrote it
        if layout.get("comment_ms") is not None:
            comment_ms = layout["comment_ms"]
        # a verbatim body is the old file's; once a feed revised the article, it is not
        revised = _revised(row, layout)
        return Post(
            title=_titled(row), date_text=layout["date"], author=row.author or "",
            url=row.url or "", tags=layout["tags"], categories=layout["categories"],
            html=row.content_html, extra=[tuple(pair) for pair in layout.get("extra", [])],
            comment_ms=comment_ms, verbatim=layout.get("verbatim", False) and not revised,
        )
    return Post(
        title=_titled(row), date_text=iso_ms(post_date_ms(row)), author=row.source_name,
        url=web_link(row.url), tags=[row.source_name, *row.source_tags],
        categories=[url_safe_category(row.source_name)], html=row.content_html,
        comment_ms=comment_ms,
    )


def _titled(row: ExportRow) -> str:
    """The title, or for an item that had none the start of its text, as the site shows it:
    a theme lists a post by its title, and an empty one is an entry no one can click."""
    if row.title and not row.title.isspace():
        return row.title
    return shown_title(row.title, plain_text(row.content_html), "")


def _file_bytes(row: ExportRow) -> bytes:
    """The post file of a row read with its content as bytes. A verbatim body (most imported
    posts) goes out as read: decoding and encoding it again was a third of the export's
    own work. Either way Liquid finds no tag in the article (``post.liquid_safe``)."""
    post = post_for(row)
    body, post.html = post.html, ""
    if post.verbatim:
        return render_post(post).encode("utf-8") + liquid_safe_bytes(body)
    post.html = body.decode("utf-8")
    return render_post(post).encode("utf-8")


def _write_if_changed(folder: str, name: str, data: bytes, exists: bool, scratch: str) -> bool:
    path = os.path.join(folder, name)
    if exists:
        try:
            if os.stat(path).st_size == len(data) and Path(path).read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
    elif "/" in name:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomic(path, data, scratch)
    return True
