"""The archive as the site sees it: every article's metadata (never its content), its
permalink, and the lists it appears in (all, per source, per tag, per month).

Held in memory for the whole build: about 1 KB per article, 25 MB at 22,740 posts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import blake2b
from zoneinfo import ZoneInfo

from newsvault.export.filenames import TakenNames, post_filename
from newsvault.export.jekyll import post_date_ms, post_day
from newsvault.site import paths
from newsvault.store import SqliteStore
from newsvault.store.records import SiteArticleRow


@dataclass(slots=True)
class SiteArticle:
    id: int
    source: str
    title: str
    author: str
    url: str  # the original link
    date_ms: int  # the post's date (as in the Jekyll post): what lists are ordered by
    updated_ms: int
    tags: tuple[str, ...]
    revisions: int
    content_hash: str
    path: str = ""  # of its page, from the site's root: "2022-01-27/slug/index.html"
    date_text: str = ""  # in the site's time zone
    month: str = ""  # "2022-01", in the site's time zone
    card: str = ""  # a digest of what a list shows of it


@dataclass(slots=True)
class Group:
    """A list of articles with its own pages: a source, a tag or a month."""

    kind: str  # "source" | "tag" | "month"
    name: str
    folder: str  # "source/bbc/"
    articles: list[SiteArticle] = field(default_factory=list)  # oldest first


@dataclass(slots=True)
class Catalog:
    articles: list[SiteArticle]  # oldest first
    sources: list[Group]
    tags: list[Group]
    months: list[Group]  # oldest first

    def by_id(self) -> dict[int, SiteArticle]:
        return {article.id: article for article in self.articles}


def name_unnamed_posts(store: SqliteStore) -> int:
    """Give a post file name to every article without one, the way the Jekyll export does
    (it is what the permalink comes from), and keep it in the archive so it never moves."""
    unnamed = list(store.export_rows(unnamed=True))
    if not unnamed:
        return 0
    taken = TakenNames(store.taken_post_names())
    store.set_post_names([(post_filename(post_day(row), row.title, taken), row.id)
                          for row in unnamed])
    return len(unnamed)


def load_catalog(store: SqliteStore, timezone_name: str) -> Catalog:
    local = _LocalTime(ZoneInfo(timezone_name))
    articles, folders = [], []
    for row in store.site_articles():
        article = _article(row)
        _set_dates(article, local)
        article_id, folder = row.id, paths.article_dir(_permalink_day(row), _slug(row))
        folders.append((article_id, folder))
        articles.append(article)
    given = paths.unique_dirs(folders)
    for article in articles:
        article.path = given[article.id] + paths.INDEX
        article.card = _card(article)
    articles.sort(key=lambda article: (article.date_ms, article.id))
    return Catalog(articles, *_groups(articles))


def _article(row: SiteArticleRow) -> SiteArticle:
    tags = row.layout_tags if row.layout_tags is not None else [row.source_name,
                                                                  *row.source_tags]
    return SiteArticle(
        id=row.id, source=row.source_name, title=row.title, author=row.author or "",
        url=row.url or "", date_ms=post_date_ms(row), updated_ms=row.updated_ms,
        tags=tuple(dict.fromkeys(str(tag) for tag in tags)), revisions=row.revisions,
        content_hash=row.content_hash,
    )


def _permalink_day(row: SiteArticleRow) -> str:
    """Jekyll's :year-:month-:day: the front matter's date as written (it carries its own
    offset), else the day in the file name, which newsvault took from the post's date."""
    if row.layout_date:
        return row.layout_date[:10]
    return paths.name_day(row.post_name or "") or "undated"


def _slug(row: SiteArticleRow) -> str:
    return (paths.post_slug(row.post_name) if row.post_name else "") or f"article-{row.id}"


class _LocalTime:
    """Epoch ms → "YYYY-MM-DD HH:MM" in a time zone, fast: a week whose start and end have
    the same UTC offset keeps it throughout (zones change offset at most a few times a
    year); each day's text is made once."""

    _WEEK_MS = 7 * 86_400_000

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.weeks: dict[int, int | None] = {}
        self.days: dict[int, str] = {}

    def _offset_ms(self, epoch_ms: int) -> int:
        return int(datetime.fromtimestamp(epoch_ms / 1000, tz=self.zone).utcoffset()
                   .total_seconds() * 1000)

    def text(self, epoch_ms: int) -> str:
        week = epoch_ms // self._WEEK_MS
        if week not in self.weeks:
            start, end = self._offset_ms(week * self._WEEK_MS), self._offset_ms(
                (week + 1) * self._WEEK_MS - 1)
            self.weeks[week] = start if start == end else None
        offset = self.weeks[week]
        if offset is None:
            offset = self._offset_ms(epoch_ms)
        day, in_day = divmod(epoch_ms + offset, 86_400_000)
        day_text = self.days.get(day)
        if day_text is None:
            moment = datetime.fromtimestamp(day * 86400, tz=timezone.utc)
            day_text = self.days[day] = f"{moment:%Y-%m-%d}"
        minutes = in_day // 60_000
        return f"{day_text} {minutes // 60:02d}:{minutes % 60:02d}"


def _set_dates(article: SiteArticle, local: _LocalTime) -> None:
    article.date_text = local.text(article.date_ms)
    article.month = article.date_text[:7]


def _card(article: SiteArticle) -> str:
    shown = "\x1f".join((article.path, article.title, article.date_text, article.source))
    return blake2b(shown.encode(), digest_size=8).hexdigest()


def _groups(articles: list[SiteArticle]) -> tuple[list[Group], list[Group], list[Group]]:
    by_source: dict[str, list] = defaultdict(list)
    by_tag: dict[str, list] = defaultdict(list)
    by_month: dict[str, list] = defaultdict(list)
    for article in articles:
        by_source[article.source].append(article)
        by_month[article.month].append(article)
        for tag in article.tags:
            by_tag[tag].append(article)
    return (_named_groups("source", by_source), _named_groups("tag", by_tag),
            [Group("month", month, f"archive/{month}/", listed)
             for month, listed in sorted(by_month.items())])


def _named_groups(kind: str, lists: dict[str, list]) -> list[Group]:
    """One group per name, in name order; folders from the names' slugs, made unique."""
    names = sorted(lists)
    wanted = [(index, f"{kind}/{paths.slugify(name) or kind}/") for index, name in enumerate(names)]
    folders = paths.unique_dirs(wanted)
    return [Group(kind, name, folders[index], lists[name]) for index, name in enumerate(names)]
