"""Jekyll posts into the archive: the old system's ``_posts`` and its variants.

Two passes, so that memory holds one post at a time, not the whole archive:

1. the front matter of every file (its first few KB) gives its link, date, title and source.
   Files that share a link are one article the old system saved several times. Articles
   whose link the archive already has are left out, and the others get their file names:
   a post keeps its own unless ``unsafe_reason`` rejects it or another post has it (ignoring
   case, as macOS and Windows do); a new name never takes one of the folder's file names.
2. the articles to add are read in full and streamed into the store in one transaction.
   The distinct versions of a merged article are its revisions, the newest by date the
   current one.

Every file is imported, counted as already archived, or listed with the reason it was not.
"""

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path

from newsvault.clock import EARLIEST_SHOWN_MS, LATEST_SHOWN_MS, now_ms
from newsvault.errors import ImportError_
from newsvault.export.filenames import (
    TakenNames, fold_name, post_filename, repaired_name, unsafe_reason,
)
from newsvault.export.frontmatter import without_comment
from newsvault.export.post import (
    Post, is_markdown_body, parse_front_matter, parse_post, with_body,
)
from newsvault.feeds.dates import in_local_time, read_date
from newsvault.store import ArchivedArticle, ArchivedVersion, SqliteStore
from newsvault.store.records import IMPORTED_POST_GUID
from newsvault.store.identity import article_keys, canonical_url, scheme_blind

POST_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".html")  # lower case
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mdown")
HEAD_BYTES = 8192  # enough for the front matter of nearly every post; longer ones read all
JEKYLL_IGNORES = "Jekyll does not publish it (its name starts with '.', '_' or '#', or ends with '~')"
UNPUBLISHED = "Jekyll does not publish it (published: false)"
NAME_TAKEN = "another post has this name (ignoring case, as macOS and Windows compare names)"
_NAMED_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})-")
# a date and time YAML 1.1 reads as a timestamp, with no zone: Ruby's Psych reads it as UTC
_YAML_NAIVE_TIMESTAMP = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?\Z")


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    imported: int = 0  # articles added
    imported_files: int = 0  # the files they were made of
    already_archived: int = 0  # articles whose link the archive already had
    already_archived_files: int = 0
    merged_articles: int = 0  # articles added that were made of several files
    merged_files: int = 0  # the files that went into them
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # file, new name, why
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file name, why not imported


@dataclass(slots=True)
class _Head:
    """One file's front matter: enough to group, order and name it, and kept for pass 2."""

    path: str
    front: Post  # the front-matter values, without the body
    front_text: str  # the text up to the body, to check the file is still the one read
    date_ms: int
    day: str  # the day in its file name, as the old system would have written it
    source: str
    folder: str = ""  # under the posts folder ("2022/01" for _posts/2022/01/…); "" for none

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


@dataclass(slots=True)
class _Group:
    """The files of one article, oldest first, and what it will be archived as."""

    heads: list[_Head]
    key: str  # canonical link, or the file's own name when it has no link
    guid: str
    name: str = ""
    source_id: int = 0
    by_link: bool = True  # its link identifies it (else its file does)


@dataclass(slots=True)
class _PostFile:
    head: _Head
    post: Post


def import_jekyll(store: SqliteStore, posts_dir: Path, zone: tzinfo = timezone.utc,
                  in_place: bool = False) -> ImportReport:
    """``zone``: where a date that names no zone is read (the archive's, as Jekyll reads
    it in the site's). ``in_place``: ``posts_dir`` is the folder the export writes to, so
    a renamed post's file takes its new name there and then (see ``_rename_on_disk``)."""
    report = ImportReport()
    paths = _post_paths(Path(posts_dir), report)
    report.files = len(paths) + len(report.skipped)
    heads = [head for head in (_read_head(path, posts_dir, report, zone) for path in paths)
             if head]
    groups = _group_by_link(heads)
    _set_sources(store, groups)
    groups = _new_groups(store, groups, report)
    names = _Names(store.taken_post_names(), {os.path.basename(path) for path in paths})
    for group in groups:
        group.name = names.choose(group.heads[-1], report)
        if in_place:
            _rename_on_disk(group.heads[-1], group.name)
    report.imported = store.import_articles(_articles(groups, names, report))
    return report


def _post_paths(posts_dir: Path, report: ImportReport) -> list[str]:
    """The posts Jekyll would read: files with a post's extension (in any case), but not
    those it ignores (names that start with ".", "_" or "#" or end with "~", listed; the
    folders so named are not read); one that is no regular file (a FIFO would hang the
    import) is listed."""
    paths = []
    for folder, folders, files in os.walk(posts_dir):
        folders[:] = sorted(name for name in folders if not _ignored_by_jekyll(name))
        for name in files:
            if not name.lower().endswith(POST_SUFFIXES):
                continue
            path = os.path.join(folder, name)
            if _ignored_by_jekyll(name):
                report.skipped.append((_shown(path, posts_dir), JEKYLL_IGNORES))
            elif _is_regular_file(path):
                paths.append(path)
            else:
                report.skipped.append((_shown(path, posts_dir), "not a regular file"))
    return sorted(paths)


def _ignored_by_jekyll(name: str) -> bool:
    return name.startswith((".", "_", "#")) or name.endswith("~")


def _is_regular_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # a broken link: reading it says why
        return True


def _subfolder(path: str, posts_dir: Path) -> str:
    folder = os.path.relpath(os.path.dirname(path), posts_dir)
    return "" if folder == os.curdir else Path(folder).as_posix()


def _shown(path: str, posts_dir: Path) -> str:
    """A file as the report names it: its path under the posts folder (``2022/a.md``)."""
    return _under(_subfolder(path, posts_dir), os.path.basename(path))


def _under(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


# -- pass 1: front matter ------------------------------------------------------------------


def _read_head(path: str, posts_dir: Path, report: ImportReport, zone: tzinfo) -> _Head | None:
    name, folder = os.path.basename(path), _subfolder(path, posts_dir)
    shown = _under(folder, name)
    try:
        front, front_text = read_front_matter(path)
    except OSError as error:
        report.skipped.append((shown, f"cannot be read ({error.strerror})"))
        return None
    except UnicodeDecodeError as error:
        report.skipped.append((shown, _not_utf8(error)))
        return None
    except ImportError_ as error:
        report.skipped.append((shown, str(error)))
        return None
    if _unpublished(front):
        report.skipped.append((shown, UNPUBLISHED))
        return None
    date_ms, day = _post_date(front, name, zone)
    if date_ms is None:
        reason = "no date" if not front.date_text.strip() else \
            f"unreadable date {front.date_text!r}"
        report.skipped.append((shown, f"{reason}, and none in its file name"))
        return None
    return _Head(path=path, front=front, front_text=front_text, date_ms=date_ms, day=day,
                 source=_source_name(front), folder=folder)


def _unpublished(post: Post) -> bool:
    """``published: false`` (or ``no``, ``off``, in any case: false to Ruby's YAML, as
    Jekyll reads it); a quoted "false" is a string, so the post is published."""
    values = [text for key, text in post.extra if key == "published"]
    value = without_comment(values[-1]).strip() if values else ""
    return value.lower() in ("false", "no", "off")


def _post_date(front: Post, name: str, zone: tzinfo) -> tuple[int | None, str]:
    """The post's time and the day its file is named by: its date as Jekyll reads it; as
    Jekyll does, the day of its file name when it has no date (or one no reader can show
    in every zone, such as Go's zero time)."""
    date_text = front.date_text
    date_ms = read_date(date_text)
    if date_ms is not None:
        date_ms = _as_jekyll_reads(front, date_ms, zone)
        if EARLIEST_SHOWN_MS <= date_ms <= LATEST_SHOWN_MS:  # not Go's zero time, year 1
            return date_ms, written_day(date_text, date_ms)
    named = _NAMED_DAY.match(name)
    day = "-".join(named.groups()) if named else ""
    day_ms = read_date(day) if day else None
    return (day_ms, day) if day_ms is not None else (None, "")  # a day alone keeps its day


def _as_jekyll_reads(front: Post, date_ms: int, zone: tzinfo) -> int:
    """A time that names no zone is UTC when YAML reads it as a timestamp (plain, with
    seconds: ``2022-01-09 23:30:00``), and otherwise a time in ``zone``, the site's (a
    string Jekyll parses: ``2022-01-09 23:30``, or quoted). The export writes a timestamp
    plain, so a quoted one is given its offset here, to be read as the same time again."""
    timestamp = _YAML_NAIVE_TIMESTAMP.match(front.date_text.strip()) is not None
    if timestamp and not front.date_quoted:
        return date_ms
    local_ms = in_local_time(front.date_text, date_ms, zone)
    if timestamp and local_ms != date_ms:
        offset = datetime.fromtimestamp(local_ms / 1000, zone).strftime("%z")
        front.date_text = f"{front.date_text.strip()} {offset}"
    return local_ms


def read_front_matter(path: str) -> tuple[Post, str]:
    """The post's front matter and its text, read from the file's first complete lines, or
    from all of it when the front matter is longer than that. Raises ``OSError``,
    ``UnicodeDecodeError``, or ``ImportError_`` when it is not a post."""
    with open(path, "rb") as stream:
        data = stream.read(HEAD_BYTES)
        if len(data) == HEAD_BYTES:
            text = data[:data.rfind(b"\n") + 1].decode("utf-8")
            try:
                front, body_at = parse_front_matter(text, os.path.basename(path))
                return front, text[:body_at]
            except ImportError_:
                pass
            data += stream.read()
    text = data.decode("utf-8")
    front, body_at = parse_front_matter(text, os.path.basename(path))
    return front, text[:body_at]


def _not_utf8(error: UnicodeDecodeError) -> str:
    return f"not UTF-8 text ({error.reason} at byte {error.start})"


def written_day(date_text: str, date_ms: int) -> str:
    """The date's day in the offset it was written with: the old system named files by it
    (all 5,685 posts of the corpus; their UTC day differs for two written just after midnight).
    The UTC day when the text is in no form that keeps its offset."""
    try:
        return datetime.fromisoformat(date_text.strip()).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(date_text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return datetime.fromtimestamp(date_ms / 1000, timezone.utc).date().isoformat()


def _source_name(post: Post) -> str:
    """The old system wrote the source's name as the tag and as a category (every post of
    the corpus). Other posts' tags are topics, not outlets: their source is the author."""
    categories = {category.strip() for category in post.categories}
    for candidate in (*(tag for tag in post.tags if tag.strip() in categories), post.author):
        if candidate and candidate.strip():
            return candidate.strip()
    return "imported"


def _group_by_link(heads: list[_Head]) -> list[_Group]:
    """The files of each article: one link (http and https alike), or, without a link that
    identifies an article (none, a site's home page, a show's page three posts share…:
    ``article_keys``), one file (two posts of one name in two subfolders are two posts, as
    Jekyll has them)."""
    links = article_keys([(head.front.url, _own_path(head), head.front.title)
                          for head in heads])
    by_key: dict[str, list[_Head]] = {}
    for head, link in zip(heads, links):
        by_key.setdefault(scheme_blind(link) if link else f"file:{_own_path(head)}",
                          []).append(head)
    groups = []
    for key, group in by_key.items():
        # the newest is current; of files saved at the same time, one with a safe name
        group.sort(key=lambda head: (head.date_ms, unsafe_reason(head.name) is None, head.name))
        newest = group[-1]
        by_link = not key.startswith("file:")
        guid = newest.front.url if by_link else IMPORTED_POST_GUID + _own_path(newest)
        key = canonical_url(newest.front.url) if by_link else key
        groups.append(_Group(heads=group, key=key, guid=guid, by_link=by_link))
    return groups


def _own_path(head: _Head) -> str:
    """The file's path under the posts folder (its name alone at the top, as ever)."""
    return _under(head.folder, head.name)


def _set_sources(store: SqliteStore, groups: list[_Group]) -> None:
    source_ids: dict[str, int] = {}
    for group in groups:
        source = group.heads[-1].source
        if source not in source_ids:
            source_ids[source] = store.ensure_source(source, "", now_ms())
        group.source_id = source_ids[source]


def _new_groups(store: SqliteStore, groups: list[_Group], report: ImportReport) -> list[_Group]:
    """The groups whose link (or, without one that identifies them, file) the archive does
    not have yet. A file known by itself is archived too when it is the post an archived
    article without such a link is written to (as renamed on import, and read again from
    the export's folder)."""
    known_links, known_guids = store.archived_import_keys(
        [group.key for group in groups], [(group.source_id, group.guid) for group in groups])
    by_file = [group.heads[-1] for group in groups if not group.by_link]
    known_posts = store.archived_posts_known_by_file([head.name for head in by_file])
    new = []
    for group in groups:
        newest = group.heads[-1]
        if (group.key in known_links or (group.source_id, group.guid) in known_guids
                or (newest.folder, newest.name) in known_posts):
            report.already_archived += 1
            report.already_archived_files += len(group.heads)
        else:
            new.append(group)
    return new


class _Names:
    """File names for imported articles: their own when safe and free, else a new safe one."""

    def __init__(self, archived: set[str], folder: set[str]):
        self._taken = TakenNames(archived)  # names of posts: archived, or chosen in this import
        # and those of every file in the folder; Jekyll's URLs of those that keep their name
        kept = [name for name in folder if not unsafe_reason(name)]
        self._avoided = TakenNames([*folder, *archived], url_names=[*kept, *archived])

    def choose(self, head: _Head, report: ImportReport) -> str:
        # an imported post keeps its name unless a file has it (Jekyll's URLs aside: the
        # old site had the same)
        taken = fold_name(head.name) in self._taken.folded
        reason = unsafe_reason(head.name) or (NAME_TAKEN if taken else None)
        name = head.name
        if reason is not None:
            repaired = None if taken else repaired_name(head.name)
            if repaired is not None and repaired not in self._avoided:
                name = repaired  # the same URL: only what broke the name is changed
            else:
                name = post_filename(head.day, head.front.title, self._avoided)
            report.renamed.append((_own_path(head), name, reason))
        self._taken.add(name)
        self._avoided.add(name)
        return name


def _rename_on_disk(head: _Head, name: str) -> None:
    """The export will write the post under its new name: the file left under the old one
    would be a second post for Jekyll, and a second article when the folder is imported
    again (as the workflow does to rebuild the database). Renamed before anything is
    stored, so a failed import leaves each file whole under one of its two names."""
    if name == head.name:
        return
    target = os.path.join(os.path.dirname(head.path), name)
    if os.path.lexists(target):  # a new name takes none of the folder's: a file came since
        raise ImportError_(f"{target}: cannot rename {head.name!r} to it: a file is there")
    os.rename(head.path, target)
    head.path = target


# -- pass 2: whole posts -------------------------------------------------------------------


def _articles(groups: list[_Group], names: _Names, report: ImportReport):
    for group in groups:
        article = _article(group, names, report)
        if article is not None:
            yield article


def _article(group: _Group, names: _Names, report: ImportReport) -> ArchivedArticle | None:
    files = [post_file for head in group.heads if (post_file := _read_post(head, report))]
    if not files:
        return None
    newest = files[-1]
    if newest.head is not group.heads[-1]:  # the file named for it could not be read
        group.name = names.choose(newest.head, report)
    report.imported_files += len(files)
    if len(files) > 1:
        report.merged_articles += 1
        report.merged_files += len(files)
    post = newest.post
    versions = _distinct_versions(files)
    return ArchivedArticle(
        source_id=group.source_id,
        url=post.url or None,
        guid=group.guid,
        known_by_link=group.by_link,
        author=post.author,
        published_ms=post.comment_ms if post.comment_ms is not None else newest.head.date_ms,
        first_seen_ms=files[0].head.date_ms,
        tags=post.tags,
        versions=versions,
        post_name=group.name,
        post_layout={
            # a post without a date is dated by its file name (Jekyll refuses `date: ""`)
            "date": post.date_text if post.date_text.strip() else newest.head.day,
            "tags": post.tags, "categories": post.categories,
            "extra": post.extra, "comment_ms": post.comment_ms, "verbatim": post.verbatim,
            "revisions": len(versions),
            # the user's own Markdown: every export writes its body back as read
            **({"markdown": True} if _is_markdown(newest) else {}),
            # written back where it was: a second copy at the top would be a second post
            **({"folder": newest.head.folder} if newest.head.folder else {}),
        },
    )


def _is_markdown(post_file: _PostFile) -> bool:
    """A post whose body is Markdown, not the old system's HTML: a Markdown file (.md,
    .markdown, .mkd…) whose body, past the old system's header lines, starts with no HTML tag."""
    return (post_file.post.verbatim and post_file.head.path.lower().endswith(MARKDOWN_SUFFIXES)
            and is_markdown_body(post_file.post.html))


def _read_post(head: _Head, report: ImportReport) -> _PostFile | None:
    try:
        with open(head.path, "rb") as stream:
            text = stream.read().decode("utf-8")
    except OSError as error:
        report.skipped.append((_own_path(head), f"cannot be read ({error.strerror})"))
        return None
    except UnicodeDecodeError as error:
        report.skipped.append((_own_path(head), _not_utf8(error)))
        return None
    if text.startswith(head.front_text):  # its front matter is the one read in pass 1
        return _PostFile(head, with_body(head.front, text[len(head.front_text):]))
    try:  # the file changed since pass 1
        return _PostFile(head, parse_post(text, head.name))
    except ImportError_ as error:
        report.skipped.append((_own_path(head), str(error)))
        return None


def _distinct_versions(files: list[_PostFile]) -> list[ArchivedVersion]:
    """Oldest first; a version equal to the one before it is the same version seen again."""
    versions: list[ArchivedVersion] = []
    for post_file in files:
        post = post_file.post
        if versions and (versions[-1].title, versions[-1].content_html) == (post.title, post.html):
            continue
        versions.append(ArchivedVersion(post_file.head.date_ms, post.title, post.html))
    return versions
