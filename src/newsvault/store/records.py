"""The values the store takes and gives back (besides model.Entry and model.Source)."""

from dataclasses import dataclass, field

from newsvault.model import Attachment, Entry, Source


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
    # guids (identity within the source, as in ``keyed``) of the items whose article page
    # is wanted: queued for the full-text step when they are new or changed
    wants_page: set[str] | None = None


@dataclass(slots=True)
class ArchivedVersion:
    seen_ms: int
    title: str
    content_html: str


# the guid of an article imported from a post its link does not identify: "jekyll-post:"
# and the post's path (the post knows no guid; a feed's item that is it gives its own)
IMPORTED_POST_GUID = "jekyll-post:"


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
    known_by_link: bool = True  # False: its link names no single article (a show's page)


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
    clean: bool = False  # content_html is the clean HTML (content/), not the stored content
    markdown: str | bytes | None = None  # clean exports: an imported Markdown post's body as read


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
class DisplaySource:
    """What an article displays, before the sanitizer makes it safe (content/clean.py)."""

    article_id: int
    change_seq: int
    url: str | None  # relative URLs in the content are resolved against it
    content_html: str
    image_url: str | None = None  # a picture beside the content, shown where it has none
    attachments: list[Attachment] = field(default_factory=list)  # shown after the content


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
class PageJob:
    """An article whose page the full-text step is to fetch (``SqliteStore.page_jobs``)."""

    article_id: int
    source_id: int
    url: str
    title: str
    content_html: str  # the feed's
    content_hash: str
    attempts: int  # failed attempts before this one
    etag: str | None = None  # of the page fetched last time, if any
    last_modified: str | None = None


@dataclass(slots=True)
class StoredPage:
    """The page kept from an earlier fetch (for a 304)."""

    final_url: str
    content_type: str | None
    raw_html: bytes  # decompressed


@dataclass(slots=True)
class PageResult:
    """What became of one PageJob. ``kind``:

    - "page": fetched (``raw_z`` set) or not modified (``raw_z`` None); ``fulltext_html``
      is the extracted content to show, or None when the feed's content is better
    - "feed": not fetched, the feed's content is enough (the item does not look like a
      summary, or the source's full_text is now "never")
    - "failed": fetching or extracting failed (``error``); ``retry``: try again next run
    """

    job: PageJob
    kind: str
    fetched_ms: int = 0
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    raw_z: bytes | None = None  # the page as fetched, zlib-compressed
    fulltext_html: str | None = None
    error: str | None = None
    retry: bool = False


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
