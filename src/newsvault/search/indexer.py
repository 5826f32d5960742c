"""Keeps the search index in step with the archive.

Every change to an article bumps its change_seq. The index keeps a watermark, the
change_seq up to which it has indexed everything, and ``update_index`` indexes the articles
changed since, replacing what it had of them. fetch, run and import call it at their end,
and every search calls it first (when nothing changed that costs one query).

Batches are committed one by one, each with its watermark, so a concurrent fetch waits
for one batch at most and a killed build resumes where it stopped. A large build prepares
the text (HTML → plain text → tokens) in worker processes while this one writes.
"""

import sqlite3
import unicodedata
import zlib
from dataclasses import dataclass
from functools import partial

from newsvault.search.fold import FOLD_VERSION, fold
from newsvault.search.text import collapse_spaces, plain_text
from newsvault.search.tokens import TOKENIZER_VERSION, index_text
from newsvault.store import SqliteStore
from newsvault.store.records import SearchSource, SearchText, SearchTokens
from newsvault.workers import catch_up

# What made the tokens. A contentless FTS5 table forgets an article only when given the
# very tokens it was indexed with, so any change here rebuilds the whole index.
TOKENIZER = (f"{TOKENIZER_VERSION} {FOLD_VERSION} sqlite-{sqlite3.sqlite_version}"
             f" unicode-{unicodedata.unidata_version}")

BATCH = 250  # articles per transaction
_PROCESS_THRESHOLD = 500  # fewer articles are indexed here: starting workers costs more

Prepared = list[tuple[SearchText, SearchTokens]]


@dataclass(slots=True)
class IndexReport:
    indexed: int = 0  # articles (re)indexed
    rebuilt: bool = False  # an index made by another tokenizer was dropped


def update_index(store: SqliteStore, workers: int | None = None) -> IndexReport:
    """Index the articles changed since the last update. ``workers``: processes that
    prepare text (default: one per core, for large updates only)."""
    report = IndexReport()
    _, tokenizer = store.search_state()
    if tokenizer != TOKENIZER:
        store.reset_search_index(TOKENIZER)
        report.rebuilt = bool(tokenizer)
    while not _index_pending(store, workers, report):
        pass  # another process moved the watermark: start again from where it is
    return report


def _index_pending(store: SqliteStore, workers: int | None, report: IndexReport) -> bool:
    """False when another process indexed meanwhile."""
    start = store.search_state()[0]
    finished, indexed = catch_up(store, start, store.search_pending(start), _prepare_batch,
                                 partial(_write, store), BATCH, _PROCESS_THRESHOLD, workers)
    report.indexed += indexed
    return finished


def _write(store: SqliteStore, expected_seq: int, new_seq: int, prepared: Prepared) -> bool:
    with store.search_writer() as writer:
        if writer.indexed_seq() != expected_seq:
            return False
        ids = [text.article_id for text, _ in prepared]
        writer.remove([stored_tokens(text) for text in writer.stored(ids)])
        writer.add([text for text, _ in prepared], [tokens for _, tokens in prepared])
        writer.set_indexed_seq(new_seq)
    return True


# -- preparing text -----------------------------------------------------------------------

def prepare(sources: list[SearchSource]) -> Prepared:
    """What the index keeps of each article, and its tokens."""
    prepared = []
    for source in sources:
        title = collapse_spaces(source.title)
        body = plain_text(source.content_html)
        text = SearchText(source.article_id, title, zlib.compress(body.encode(), 1),
                          source.source)
        prepared.append((text, _tokens(source.article_id, title, body, source.source)))
    return prepared


def stored_tokens(text: SearchText) -> SearchTokens:
    """The tokens an indexed article was added with (to take it out again)."""
    body = zlib.decompress(text.body_z).decode()
    return _tokens(text.article_id, text.title, body, text.source)


def _tokens(article_id: int, title: str, body: str, source: str) -> SearchTokens:
    return SearchTokens(article_id, index_text(fold(title)), index_text(fold(body)),
                        index_text(fold(source)))


def _prepare_batch(store: SqliteStore, ids: list[int]) -> Prepared:
    return prepare(store.search_sources(ids))
