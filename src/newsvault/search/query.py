"""``search_articles``: what ``newsvault search`` and the site's /api/search call."""

import zlib
from dataclasses import dataclass

from newsvault.clock import iso_ms
from newsvault.errors import SearchQueryError
from newsvault.links import web_link
from newsvault.search.indexer import update_index
from newsvault.search.snippet import Snippet, make_snippet, phrases_pattern
from newsvault.search.tokens import match_expression, parse_query
from newsvault.store import SqliteStore
from newsvault.store.records import SearchRow
from newsvault.titles import shown_title

# bm25 column weights: a match in the title counts ten times one in the body
WEIGHTS = (10.0, 1.0, 2.0)  # title, body, source
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    title: str
    url: str | None  # the original link
    source: str
    published: str  # ISO 8601 UTC, the post's date
    snippet: Snippet

    def to_json(self) -> dict:
        """The API's form; ``snippet`` is HTML: escaped text, matches in <mark>…</mark>;
        ``url`` is the original link when it is http(s), else "" (it may become an href)."""
        return {"title": self.title, "url": web_link(self.url), "source": self.source,
                "published": self.published, "snippet": self.snippet.html()}


def search_articles(store: SqliteStore, query: str, source: str | None = None,
                    limit: int = 20, untitled: str = "(untitled)") -> list[SearchHit]:
    """The best ``limit`` articles for ``query``, best first. Words and "quoted phrases"
    must all occur; Traditional and Simplified characters are the same, case does not
    matter. Brings the index up to date first (so it writes to the archive). A hit with
    a blank title has the start of its text as title (else ``untitled``).

    Raises SearchQueryError for a query with nothing to search for, an unknown source or
    a limit below 1.
    """
    phrases = parse_query(query)
    if limit < 1:
        raise SearchQueryError(f"search: the limit must be at least 1, not {limit}")
    if source is not None and source not in store.source_names():
        raise SearchQueryError(f"search: no source named {source!r} in the archive "
                               "(see `newsvault status`)")
    update_index(store)
    rows = store.search(match_expression(phrases), WEIGHTS, min(limit, MAX_LIMIT), source)
    pattern = phrases_pattern(phrases)
    return [_hit(row, _body(row), pattern, untitled) for row in rows]


def _body(row: SearchRow) -> str:
    return zlib.decompress(row.body_z).decode()


def _hit(row: SearchRow, body: str, pattern, untitled: str) -> SearchHit:
    snippet = make_snippet(body or row.title, pattern)
    return SearchHit(article_id=row.article_id, title=shown_title(row.title, body, untitled),
                     url=row.url,
                     source=row.source, published=iso_ms(row.published_ms), snippet=snippet)
