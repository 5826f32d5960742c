"""Which pages the site has and what each one shows.

Every page comes with a digest of everything it shows (and of the templates and settings,
through ``fingerprint``): the builder renders a page only when its digest differs from the
one of the last build. The digests are cheap, made from metadata alone, so that finding the
pages one new article touches costs milliseconds, not a render of the whole site.
"""

from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from newsvault.site import paths
from newsvault.site.catalog import Catalog, Group, SiteArticle
from newsvault.store import SourceStatus

FEED_SIZE = 100
FEED_NAME = "feed.xml"


@dataclass(slots=True)
class Page:
    path: str  # from the site's root
    template: str
    digest: str
    data: Any  # the view its template gets (see the classes below)


@dataclass(slots=True)
class ArticleView:
    article: SiteArticle
    older: SiteArticle | None  # in the same source
    newer: SiteArticle | None
    source_folder: str
    tag_folders: list[tuple[str, str]]  # (tag, folder)
    month_folder: str


@dataclass(slots=True)
class ListView:
    heading: str  # the source's or tag's name; "" for the home page
    kind: str  # "home" | "source" | "tag" | "month"
    folder: str
    number: int | None  # None: the first page (the newest)
    articles: list[SiteArticle]  # newest first
    count: int  # in the whole list
    newer: str | None  # paths of the neighbouring pages
    older: str | None
    newest: str | None
    oldest: str | None
    feed: str | None


@dataclass(slots=True)
class SourceRow:
    name: str
    folder: str | None  # None: no article yet, no page
    articles: int
    last_update: str  # the newest article's date
    status: SourceStatus


@dataclass(slots=True)
class IndexView:
    """An overview: the sources, the tags or the months."""

    kind: str  # "sources" | "tags" | "archive"
    rows: list  # SourceRow | (name, folder, count)


@dataclass(slots=True)
class FeedView:
    title: str
    folder: str  # of the list it follows
    articles: list[SiteArticle]  # newest first


@dataclass(slots=True)
class SitemapView:
    pages: list[tuple[str, int | None]]  # (path, last change in epoch ms)


@dataclass(slots=True)
class SitemapIndexView:
    sitemaps: list[str]  # their paths


def digest(*parts: object) -> str:
    return blake2b("\x1e".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def plan_pages(catalog: Catalog, statuses: list[SourceStatus], fingerprint: str) -> list[Page]:
    pages: list[Page] = []
    pages += _article_pages(catalog, fingerprint)
    pages += _list_pages("home", "", "", catalog.articles, fingerprint, feed=True)
    for group in catalog.sources:
        pages += _list_pages("source", group.name, group.folder, group.articles, fingerprint,
                             feed=True)
    for group in catalog.tags:
        pages += _list_pages("tag", group.name, group.folder, group.articles, fingerprint)
    pages += _month_pages(catalog.months, fingerprint)
    pages += _feeds(catalog, fingerprint)
    pages += _overviews(catalog, statuses, fingerprint)
    pages += [Page("search/index.html", "search.html", digest(fingerprint, "search"), None),
              Page("404.html", "404.html", digest(fingerprint, "404"), None)]
    pages += _sitemaps(pages, fingerprint)
    pages.append(Page("robots.txt", "robots.txt", digest(fingerprint, "robots"), None))
    return pages


class _Links:
    """Where an article page's tags and month link to: one for all article pages."""

    def __init__(self, catalog: Catalog):
        self.tag_folder = {spelling: group.folder for group in catalog.tags
                           for spelling in group.spellings}
        self.month_folder = {group.name: group.folder for group in catalog.months}
        self._tag_keys: dict[tuple[str, ...], str] = {}

    def tags_key(self, tags: tuple[str, ...]) -> str:
        """A digest of where these tags link to (few distinct tag lists: each made once)."""
        key = self._tag_keys.get(tags)
        if key is None:
            key = self._tag_keys[tags] = digest(*(self.tag_folder[tag] for tag in tags))
        return key


@dataclass(slots=True)
class ArticlePage:
    """What an article page is made from; ``view()`` is what its template is given."""

    article: SiteArticle
    older: SiteArticle | None
    newer: SiteArticle | None
    source_folder: str
    links: _Links

    def view(self) -> ArticleView:
        article = self.article
        return ArticleView(article, self.older, self.newer, self.source_folder,
                           [(tag, self.links.tag_folder[tag]) for tag in article.tags],
                           self.links.month_folder[article.month])


def _article_pages(catalog: Catalog, fingerprint: str) -> list[Page]:
    """Its digest is the digests it is made of, side by side (for 22,000 pages, hashing
    them once more costs more than comparing a longer string)."""
    links = _Links(catalog)
    pages = []
    for source in catalog.sources:
        prefix = digest(fingerprint, source.folder)
        listed, last = source.articles, len(source.articles) - 1
        for index, article in enumerate(listed):
            older = listed[index - 1] if index else None
            newer = listed[index + 1] if index < last else None
            key = (f"{prefix}{links.tags_key(article.tags)}{article.own}"
                   f"{older.card if older else '-'}{newer.card if newer else '-'}")
            pages.append(Page(article.path, "article.html", key,
                              ArticlePage(article, older, newer, source.folder, links)))
    return pages


def _list_pages(kind: str, heading: str, folder: str, listed: list[SiteArticle],
                fingerprint: str, feed: bool = False) -> list[Page]:
    count = len(listed)
    last = paths.full_pages(count)
    feed_path = f"{folder}{FEED_NAME}" if feed else None
    first = paths.list_page_path(folder, None)
    older = paths.older_than_first(count)
    views = [ListView(heading, kind, folder, None, _newest_first(listed, paths.first_page_range(count)),
                      count, None, _numbered(folder, older), None,
                      _numbered(folder, 1) if older else None, feed_path)]
    for number in range(1, last + 1):
        newer = paths.newer_page(number, count)
        views.append(ListView(
            heading, kind, folder, number, _newest_first(listed, paths.page_range(number)),
            count, _numbered(folder, newer) if newer else first,
            _numbered(folder, number - 1) if number > 1 else None, first,
            _numbered(folder, 1) if number > 1 else None, feed_path,
        ))
    return [_list_page(view, fingerprint) for view in views]


def _numbered(folder: str, number: int | None) -> str | None:
    return paths.list_page_path(folder, number) if number else None


def _newest_first(listed: list[SiteArticle], positions: range) -> list[SiteArticle]:
    return listed[positions.start:positions.stop][::-1]


def _list_page(view: ListView, fingerprint: str) -> Page:
    path = paths.list_page_path(view.folder, view.number)
    shown_count = view.count if view.number is None else ""  # numbered pages show no count
    key = digest(fingerprint, path, view.kind, view.heading, shown_count, view.newer,
                 view.older, view.newest, view.oldest, view.feed,
                 "".join(article.card for article in view.articles))
    return Page(path, "list.html", key, view)


def _month_pages(months: list[Group], fingerprint: str) -> list[Page]:
    pages = []
    for index, group in enumerate(months):
        older = months[index - 1].folder + paths.INDEX if index > 0 else None
        newer = months[index + 1].folder + paths.INDEX if index + 1 < len(months) else None
        view = ListView(group.name, "month", group.folder, None, group.articles[::-1],
                        len(group.articles), newer, older, None, None, None)
        pages.append(_list_page(view, fingerprint))
    return pages


def _feeds(catalog: Catalog, fingerprint: str) -> list[Page]:
    feeds = [FeedView("", "", catalog.articles[-FEED_SIZE:][::-1])]
    feeds += [FeedView(group.name, group.folder, group.articles[-FEED_SIZE:][::-1])
              for group in catalog.sources]
    pages = []
    for feed in feeds:
        shown = [(article.card, article.url, article.author, article.tags, article.updated_ms,
                  article.content_hash) for article in feed.articles]
        path = f"{feed.folder}{FEED_NAME}"
        pages.append(Page(path, "feed.xml", digest(fingerprint, path, feed.title, shown), feed))
    return pages


def _overviews(catalog: Catalog, statuses: list[SourceStatus], fingerprint: str) -> list[Page]:
    by_name = {group.name: group for group in catalog.sources}
    sources = []
    for status in statuses:
        group = by_name.get(status.name)
        newest = group.articles[-1].date_text if group else ""
        sources.append(SourceRow(status.name, group.folder if group else None,
                                 len(group.articles) if group else 0, newest, status))
    tags = [(group.name, group.folder, len(group.articles)) for group in catalog.tags]
    months = [(group.name, group.folder, len(group.articles)) for group in catalog.months][::-1]
    return [
        Page("sources/index.html", "sources.html",
             digest(fingerprint, "sources", [(row.name, row.folder, row.articles, row.last_update,
                                              row.status) for row in sources]),
             IndexView("sources", sources)),
        Page("tag/index.html", "overview.html", digest(fingerprint, "tags", tags),
             IndexView("tags", tags)),
        Page("archive/index.html", "overview.html", digest(fingerprint, "archive", months),
             IndexView("archive", months)),
    ]


def _sitemaps(pages: list[Page], fingerprint: str) -> list[Page]:
    """A sitemap per month of articles (archive/2022-01/sitemap.xml), one of the other pages
    (sitemap-pages.xml), and the index of them all (sitemap.xml): a new article changes its
    month's sitemap, not a list of every page."""
    by_month: dict[str, list[SiteArticle]] = {}
    others: list[tuple[str, int | None]] = []
    for page in pages:
        if page.template == "article.html":
            by_month.setdefault(page.data.article.month, []).append(page.data.article)
        elif page.path.endswith(paths.INDEX) and page.template != "search.html":
            others.append((page.path, None))
    sitemaps = []
    for month, articles in sorted(by_month.items()):
        path = f"archive/{month}/sitemap.xml"  # each `own` digest covers path and date
        sitemaps.append(Page(path, "sitemap.xml",
                             digest(fingerprint, path, "".join(a.own for a in articles)),
                             SitemapView([(a.path, a.updated_ms) for a in articles])))
    sitemaps.append(Page("sitemap-pages.xml", "sitemap.xml", digest(fingerprint, others),
                         SitemapView(others)))
    listed = [page.path for page in sitemaps]
    sitemaps.append(Page("sitemap.xml", "sitemap-index.xml", digest(fingerprint, listed),
                         SitemapIndexView(listed)))
    return sitemaps
