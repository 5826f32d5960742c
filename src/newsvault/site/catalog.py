"""The archive as the site sees it: every article's metadata (never its content), its
permalink, and the lists it appears in (all, per source, per tag, per month).

Held in memory for the whole build: about 1 KB per article, 25 MB at 22,740 posts.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone, tzinfo
from hashlib import blake2b
from zoneinfo import ZoneInfo

from newsvault.clock import shown
from newsvault.content.clean import displayed_contents
from newsvault.export.filenames import TakenNames, post_filename
from newsvault.export.dates import PostsByLocalDay, local_post_day, post_date_ms, post_day
from newsvault.site import paths
from newsvault.store import SqliteStore
from newsvault.search.text import plain_text
from newsvault.store.records import SiteArticleRow
from newsvault.titles import shown_title


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
    own: str = ""  # a digest of everything its page shows of it
    media: str = ""  # a digest of its images stored in the archive ("" for none)


@dataclass(slots=True)
class Group:
    """A list of articles with its own pages: a source, a tag or a month."""

    kind: str  # "source" | "tag" | "month"
    name: str
    folder: str  # "source/bbc/"
    articles: list[SiteArticle] = field(default_factory=list)  # oldest first
    spellings: tuple[str, ...] = ()  # a tag's: every case it is written in ("AI", "ai")


@dataclass(slots=True)
class Catalog:
    articles: list[SiteArticle]  # oldest first
    sources: list[Group]
    tags: list[Group]
    months: list[Group]  # oldest first

    def by_id(self) -> dict[int, SiteArticle]:
        return {article.id: article for article in self.articles}


def name_unnamed_posts(store: SqliteStore, zone: tzinfo) -> int:
    """Give a post file name to every article without one, the way the Jekyll export does
    (it is what the permalink comes from), and keep it in the archive so it never moves."""
    unnamed = list(store.export_rows(unnamed=True))
    if not unnamed:
        return 0
    taken = TakenNames(store.taken_post_names(), local_names=PostsByLocalDay(store, zone))
    store.set_post_names([(post_filename(post_day(row), row.title, taken,
                                         local_day=local_post_day(row, zone)), row.id)
                          for row in unnamed])
    return len(unnamed)


CACHE_FORMAT = 4


def load_catalog(store: SqliteStore, timezone_name: str, cache: dict | None = None,
                 untitled: str = "(untitled)") -> tuple[Catalog, dict, list[int] | None]:
    """The catalog, what to keep for the next build, and the ids whose entries in it were
    read anew (None: all). With the ``cache`` of the last build only the articles changed
    since are read from the store: the others keep what the cache says, permalinks
    included (a permalink never moves once given). An article with a blank title is
    shown with the start of its text (else ``untitled``)."""
    count, seq = store.site_state()
    key = [timezone_name, list(store.site_sources().items()), untitled, CACHE_FORMAT]
    known: dict[int, SiteArticle] = {}
    kept_fields: dict[int, tuple] = {}  # what the next build's cache keeps of each article
    cache_used = bool(cache) and cache.get("key") == key
    if cache_used:
        kept_fields = cache["articles"]
        known = {article_id: SiteArticle(*fields) for article_id, fields in kept_fields.items()}
    changed = list(store.site_articles(after_seq=cache["seq"] if cache_used else 0))
    media = _media_digests(store, [row.id for row in changed] if known else None)
    local = LocalTime(ZoneInfo(timezone_name))
    leads = _untitled_texts(store, changed)
    fresh = []
    for row in changed:
        article = _article(row)
        article.title = shown_title(row.title, leads.get(row.id, ""), untitled)
        article.media = media.get(row.id, "")
        _set_dates(article, local)
        previous = known.get(row.id)
        if previous is not None:
            article.path = previous.path
            _set_digests(article)
        else:
            fresh.append((row.id, paths.article_dir(_permalink_day(row), _slug(row))))
        known[row.id] = article
    if len(known) != count:  # an article left the archive: start from scratch
        return load_catalog(store, timezone_name, None, untitled)
    _give_folders(known, fresh)
    for row in changed:
        kept_fields[row.id] = _as_tuple(known[row.id])
    articles = sorted(known.values(), key=lambda article: (article.date_ms, article.id))
    # the article changed last: a copy of the database restored, older than the last build,
    # may have made as many changes since, but not this one
    kept = {"key": key, "seq": seq, "articles": kept_fields, "newest": store.newest_change()}
    read_anew = [row.id for row in changed] if cache_used else None
    source_rank = {name: (source_id, name)
                   for source_id, (name, _) in store.site_sources().items()}
    return Catalog(articles, *_groups(articles, source_rank)), kept, read_anew


_FIELDS = tuple(field.name for field in fields(SiteArticle))


def _media_digests(store: SqliteStore, ids: list[int] | None) -> dict[int, str]:
    """Article id → a digest of its stored images (of these articles, or all). Storing
    an image gives its article a new change_seq, so the changed articles are enough."""
    if ids == []:
        return {}
    return {article_id: blake2b(repr(sorted(stored.items())).encode(), digest_size=8).hexdigest()
            for article_id, stored in store.local_media(ids).items()}


def _untitled_texts(store: SqliteStore, rows: list[SiteArticleRow]) -> dict[int, str]:
    """Article id → the plain text of the articles among ``rows`` without a title (few)."""
    ids = [row.id for row in rows if not row.title or row.title.isspace()]
    if not ids:
        return {}
    return {article_id: plain_text(html)
            for article_id, html in displayed_contents(store, ids).items()}


def _as_tuple(article: SiteArticle) -> tuple:
    return tuple(map(article.__getattribute__, _FIELDS))


def _give_folders(articles: dict[int, SiteArticle], wanted: list[tuple[int, str]]) -> None:
    """New articles' folders: clashes go to the lowest id first, as ``unique_dirs`` does
    (new articles have the highest ids, so the folders of the others never move)."""
    taken = {article.path for article in articles.values() if article.path}
    for article_id, folder in sorted(wanted):
        candidate, number = folder, 2
        while candidate + paths.INDEX in taken:
            candidate = f"{folder[:-1]}-{number}/"
            number += 1
        article = articles[article_id]
        article.path = candidate + paths.INDEX
        _set_digests(article)
        taken.add(article.path)


def _article(row: SiteArticleRow) -> SiteArticle:
    tags = row.layout_tags if row.layout_tags is not None else [row.source_name,
                                                                  *row.source_tags]
    return SiteArticle(
        id=row.id, source=row.source_name, title=row.title, author=row.author or "",
        url=row.url or "", date_ms=post_date_ms(row), updated_ms=row.updated_ms,
        tags=_distinct_tags(tags), revisions=row.revisions,
        content_hash=row.content_hash,
    )


def _distinct_tags(tags: list) -> tuple[str, ...]:
    """Each tag once, ignoring case: the first spelling kept."""
    by_key = {}
    for tag in map(str, tags):
        by_key.setdefault(tag.casefold(), tag)
    return tuple(by_key.values())


def _permalink_day(row: SiteArticleRow) -> str:
    """Jekyll's :year-:month-:day: the front matter's date as written (it carries its own
    offset), else the day in the file name, which newsvault took from the post's date."""
    if row.layout_date and paths.is_day(row.layout_date[:10]):
        return row.layout_date[:10]
    # "2022-1-5", "Tue, 11 Jan 2022 …": the file name has the day, made from that date
    return paths.name_day(row.post_name or "") or "undated"


def _slug(row: SiteArticleRow) -> str:
    return (paths.post_slug(row.post_name) if row.post_name else "") or f"article-{row.id}"


class LocalTime:
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
        epoch_ms = shown(epoch_ms)
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


def _set_dates(article: SiteArticle, local: LocalTime) -> None:
    article.date_text = local.text(article.date_ms)
    article.month = article.date_text[:7]


def _set_digests(article: SiteArticle) -> None:
    card = "\x1f".join((article.path, article.title, article.date_text, article.source))
    article.card = blake2b(card.encode(), digest_size=8).hexdigest()
    own = "\x1f".join((card, article.author, article.url, str(article.date_ms),
                       str(article.updated_ms), "\x1e".join(article.tags), str(article.revisions),
                       article.content_hash, article.media))
    article.own = blake2b(own.encode(), digest_size=12).hexdigest()


def _groups(articles: list[SiteArticle], source_rank: dict[str, tuple]
            ) -> tuple[list[Group], list[Group], list[Group]]:
    by_source: dict[str, list] = defaultdict(list)
    by_month: dict[str, list] = defaultdict(list)
    for article in articles:
        by_source[article.source].append(article)
        by_month[article.month].append(article)
    by_tag, spellings = _by_tag(articles)
    tag_rank = {tag: (min(article.id for article in listed), tag)
                for tag, listed in by_tag.items()}
    tags = _named_groups("tag", by_tag, tag_rank)
    for group in tags:
        group.spellings = tuple(spellings[group.name])
    return (_named_groups("source", by_source, source_rank), tags,
            [Group("month", month, f"archive/{month}/", listed)
             for month, listed in sorted(by_month.items())])


def _by_tag(articles: list[SiteArticle]) -> tuple[dict[str, list], dict[str, Counter]]:
    """One list per tag, ignoring case ("AI" and "ai" are one tag page, as they would be
    one folder on macOS and Windows), named by its most used spelling (on a tie, the
    oldest article's); and each name's spellings."""
    by_key: dict[str, list] = defaultdict(list)
    spelled: dict[str, Counter] = defaultdict(Counter)
    for article in articles:
        for tag in article.tags:
            key = tag.casefold()
            by_key[key].append(article)
            spelled[key][tag] += 1
    names = {key: counts.most_common(1)[0][0] for key, counts in spelled.items()}
    return ({names[key]: listed for key, listed in by_key.items()},
            {names[key]: spelled[key] for key in by_key})


def _named_groups(kind: str, lists: dict[str, list], rank: dict[str, tuple]) -> list[Group]:
    """One group per name, in name order; folders from the names' slugs, made unique.
    On a clash the name first in ``rank`` keeps the folder (the oldest source or tag),
    so that a newcomer whose name sorts first does not take over a folder and its feed."""
    names = sorted(lists)
    by_rank = sorted(names, key=rank.__getitem__)
    wanted = [(order, f"{kind}/{paths.folder_name(paths.slugify(name) or kind)}/")
              for order, name in enumerate(by_rank)]
    given = paths.unique_dirs(wanted)
    folders = {name: given[order] for order, name in enumerate(by_rank)}
    return [Group(kind, name, folders[name], lists[name]) for name in names]
