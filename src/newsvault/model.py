"""The data that flows between stages.

A feed of any format becomes a :class:`ParsedFeed` of :class:`Entry` values (the
adapters in ``feeds/``); after that nothing downstream knows which format an item
came from. The store turns entries into archived articles.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

# How a long step (cleaning the articles, rendering the pages) tells of its progress:
# (done, total), after each part.
OnProgress = Callable[[int, int], None]


class Attachment(NamedTuple):
    """A file an item carries that is not its picture: a podcast's episode, a video, a
    document. The archive keeps its address, never the file."""

    url: str  # absolute http(s)
    mime_type: str | None  # as the feed said, or as the file's name says; None: unknown
    length: int | None  # bytes, as the feed said


@dataclass(slots=True)
class Entry:
    """One feed item, format-independent, as the feed gave it."""

    title: str
    url: str | None = None  # absolute, resolved against xml:base / the feed URL
    # the link a feed proxy gave it (FeedBurner's), where ``url`` is its own: an older
    # newsvault archived it under that one
    proxy_url: str | None = None
    guid: str | None = None
    author: str | None = None
    published_raw: str | None = None  # the date text exactly as the feed said
    published_ms: int | None = None  # the same, parsed: UTC epoch milliseconds
    # the date is when the item was last updated (Atom's updated, JSON Feed's
    # date_modified: it had no date of publication); the store moves no archived
    # article's date either way
    date_is_update: bool = False
    content_html: str = ""  # the fullest content the item carries
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    # a picture the item gives beside its content (an image enclosure, media:content or
    # media:thumbnail, JSON Feed's image); absolute
    image: str | None = None
    # the files it carries (enclosures, audio or video media:content, JSON Feed
    # attachments), each once, in the feed's order
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(slots=True)
class ParsedFeed:
    format: str  # "rss", "rdf", "atom", "json"
    entries: list[Entry]
    title: str | None = None
    site_url: str | None = None
    recovered: bool = False  # not well-formed; the lenient parser recovered what it could
    truncated: bool = False  # recovered, and it ends before its root element does: cut short


@dataclass(slots=True)
class Source:
    name: str
    url: str
    tags: list[str] = field(default_factory=list)
    id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after_ms: int | None = None  # no request before this time (429/503 Retry-After)
    dead: bool = False  # answered 410 Gone
    consecutive_failures: int = 0
    full_text: str = "auto"  # its items' pages: "auto" | "always" | "never" (newsvault.toml)
    # the URL in newsvault.toml when a permanent redirect moved the source (url is the new one)
    configured_url: str | None = None


@dataclass(slots=True)
class FetchOutcome:
    """What one source's fetch came to, for the store's fetch-run log and the report."""

    source: str
    status: str  # "ok", "not_modified", "error", "skipped"
    http_status: int | None = None
    bytes: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    # the full-text step, after the feeds are stored (pipeline/fulltext.py)
    pages: int = 0  # articles now shown with the content of their page
    pages_failed: int = 0  # pages that could not be fetched or extracted (feed kept)
    page_error: str | None = None  # the first of those failures

    @property
    def failed(self) -> bool:
        """What ``--strict`` counts: an error, or a source skipped because it is dead (410).
        A source skipped for a server's Retry-After is waiting, as asked, not failing."""
        return self.status == "error" or (self.status == "skipped" and self.http_status == 410)
