"""Jekyll posts into the archive: the old system's ``_posts`` and its variants.

Posts that share a link are one article saved several times by the old system; they
become one article whose distinct versions are its revisions, the newest by date being
the current one. Every file is either imported or listed with the reason it was not.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from newsvault.clock import now_ms
from newsvault.errors import ImportError_
from newsvault.export.filenames import is_safe_filename, post_filename
from newsvault.export.post import Post, parse_post
from newsvault.feeds.dates import parse_date
from newsvault.store import ArchivedArticle, ArchivedVersion, SqliteStore
from newsvault.store.identity import canonical_url

POST_SUFFIXES = (".md", ".markdown", ".html")


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    imported: int = 0  # articles added
    already_archived: int = 0  # articles whose link the archive already had
    merged_articles: int = 0  # articles made of several files
    merged_files: int = 0  # the files that went into them
    renamed: list[tuple[str, str]] = field(default_factory=list)  # unsafe name → new name
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file name, reason


@dataclass(slots=True)
class _PostFile:
    name: str
    post: Post
    date_ms: int


def import_jekyll(store: SqliteStore, posts_dir: Path) -> ImportReport:
    report = ImportReport()
    files = sorted(path for path in Path(posts_dir).rglob("*")
                   if path.suffix in POST_SUFFIXES and path.is_file())
    report.files = len(files)
    groups: dict[str, list[_PostFile]] = defaultdict(list)
    for path in files:
        post_file = _read_post(path, report)
        if post_file:
            key = canonical_url(post_file.post.url) or f"file:{path.name}"
            groups[key].append(post_file)
    taken = store.taken_post_names()
    articles = [_article(store, group, taken, report) for group in groups.values()]
    added = store.import_articles(articles)
    report.imported = added
    report.already_archived = len(articles) - added
    return report


def _read_post(path: Path, report: ImportReport) -> _PostFile | None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        report.skipped.append((path.name, f"not UTF-8 text ({error.reason} at byte {error.start})"))
        return None
    try:
        post = parse_post(text)
    except ImportError_ as error:
        report.skipped.append((path.name, str(error)))
        return None
    date_ms = parse_date(post.date_text)
    if date_ms is None:
        report.skipped.append((path.name, f"unreadable date {post.date_text!r}"))
        return None
    return _PostFile(name=path.name, post=post, date_ms=date_ms)


def _article(store, group: list[_PostFile], taken: set[str], report) -> ArchivedArticle:
    group.sort(key=lambda post_file: (post_file.date_ms, post_file.name))
    newest = group[-1]
    if len(group) > 1:
        report.merged_articles += 1
        report.merged_files += len(group)
    post = newest.post
    source_name = _source_name(post)
    name = newest.name
    if not is_safe_filename(name):
        name = post_filename(post.date_text[:10], post.title, taken)
        report.renamed.append((newest.name, name))
    taken.add(name)
    return ArchivedArticle(
        source_id=store.ensure_source(source_name, "", now_ms()),
        url=post.url or None,
        author=post.author,
        published_ms=post.comment_ms if post.comment_ms is not None else newest.date_ms,
        first_seen_ms=group[0].date_ms,
        tags=post.tags,
        versions=_distinct_versions(group),
        post_name=name,
        post_layout={
            "date": post.date_text, "tags": post.tags, "categories": post.categories,
            "extra": post.extra, "comment_ms": post.comment_ms, "verbatim": post.verbatim,
        },
    )


def _distinct_versions(group: list[_PostFile]) -> list[ArchivedVersion]:
    """Oldest first; a version equal to the one before it is the same version seen again."""
    versions: list[ArchivedVersion] = []
    for post_file in group:
        post = post_file.post
        if versions and (versions[-1].title, versions[-1].content_html) == (post.title, post.html):
            continue
        versions.append(ArchivedVersion(post_file.date_ms, post.title, post.html))
    return versions


def _source_name(post: Post) -> str:
    """The old system wrote the source's name as the tag (and the last category)."""
    for candidate in (*post.tags[:1], *post.categories[-1:], post.author):
        if candidate and candidate.strip():
            return candidate.strip()
    return "imported"
