"""The values the store takes and gives back (besides model.Entry and model.Source)."""

from dataclasses import dataclass, field

from newsvault.model import Entry, Source


@dataclass(slots=True)
class IngestCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class FetchRecord:
    """One source's fetch, as written to the fetch-run log."""

    started_ms: int
    finished_ms: int
    status: str  # ok | not_modified | error | skipped
    http_status: int | None = None
    bytes: int = 0
    items: int = 0
    error: str | None = None
    moved_to: str | None = None  # new URL after a permanent redirect


@dataclass(slots=True)
class FetchResult:
    """What one source's fetch brought: its items (none after a failure), its state, its log."""

    source: Source
    entries: list[Entry]
    record: FetchRecord
    # identity.unique_entries(entries), when the caller computed it before the write
    # transaction (it is CPU work that need not hold the database's write lock)
    keyed: list | None = None


@dataclass(slots=True)
class ArchivedVersion:
    seen_ms: int
    title: str
    content_html: str


@dataclass(slots=True)
class ArchivedArticle:
    """An article brought in from an existing archive; ``versions`` oldest first."""

    source_id: int
    url: str | None
    author: str | None
    published_ms: int | None
    first_seen_ms: int
    tags: list[str]
    versions: list[ArchivedVersion]
    post_name: str | None = None
    post_layout: dict = field(default_factory=dict)
    published_raw: str | None = None
    guid: str | None = None  # identity within the source; the link when None


@dataclass(slots=True)
class ExportRow:
    id: int
    source_name: str
    source_tags: list[str]
    title: str
    author: str | None
    url: str | None
    published_ms: int | None
    first_seen_ms: int
    content_html: str
    post_name: str | None
    post_layout: dict | None  # how an imported post is written back; None for fetched ones
    change_seq: int
    revisions: int = 1  # versions seen: more than an imported post had means it was revised


@dataclass(slots=True)
class SourceStatus:
    name: str
    url: str
    configured: int
    dead: bool
    consecutive_failures: int
    retry_after_ms: int | None
    articles: int
    last_fetch_ms: int | None
    last_status: str | None
    last_error: str | None
    last_http_status: int | None


@dataclass(slots=True)
class SiteArticleRow:
    """What the site shows of an article, all but its content (read apart, when rendered)."""

    id: int
    source_id: int
    source_name: str
    source_tags: list[str]
    title: str
    author: str | None
    url: str | None
    published_ms: int | None
    first_seen_ms: int
    updated_ms: int
    post_name: str | None
    layout_date: str | None  # an imported post's front-matter date, as written
    layout_tags: list[str] | None  # an imported post's tags
    content_hash: str
    revisions: int


@dataclass(slots=True)
class SearchSource:
    """What search reads of an article to index it."""

    article_id: int
    title: str
    content_html: bytes  # UTF-8, as stored: the HTML parser takes bytes
    source: str


@dataclass(slots=True)
class SearchText:
    """What the search index keeps of an article: the text snippets are cut from, and
    what takes the article out of the index again. ``body_z``: zlib-compressed UTF-8."""

    article_id: int
    title: str
    body_z: bytes
    source: str


@dataclass(slots=True)
class SearchTokens:
    """An article's values for the FTS5 columns (see search/tokens.py)."""

    article_id: int
    title: str
    body: str
    source: str


@dataclass(slots=True)
class SearchRow:
    """A search hit as the store finds it, best first."""

    article_id: int
    title: str
    url: str | None
    source: str
    published_ms: int  # the post date: published, or first seen when that is missing or later
    body_z: bytes


@dataclass(slots=True)
class MediaResult:
    """One image download: stored (``sha256`` and ``path`` set) or failed (``error``)."""

    url: str
    fetched_ms: int
    sha256: str | None = None
    path: str | None = None  # relative to the archive
    bytes: int = 0
    content_type: str | None = None
    error: str | None = None
    permanent: bool = False  # a failure that another attempt would repeat

    @property
    def ok(self) -> bool:
        return self.error is None
