"""SQLite, the store of record. Every SQL statement newsvault runs is in this module.

One connection per thread. Each source's fetch results, and each import batch, are
committed in one transaction; WAL mode makes a killed process leave a consistent file.
"""

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from newsvault.config import SourceSettings
from newsvault.errors import NewsvaultError
from newsvault.files import folder_locked
from newsvault.model import Attachment, Entry, Source
from newsvault.store.identity import (
    KeyedEntry, canonical_url, content_hash, read_as_now, reads_as_imported, reads_the_same,
    same_but_for_white_space, scheme_twin, titled_as_posted, unique_entries,
)
from newsvault.store.records import (
    IMPORTED_POST_GUID,
    ArchivedArticle,
    ArchivedVersion,
    DisplaySource,
    ExportRow,
    FetchRecord,
    FetchResult,
    IngestCounts,
    MediaResult,
    PageJob,
    PageResult,
    SearchRow,
    SearchSource,
    SearchText,
    SearchTokens,
    SiteArticleRow,
    SourceStatus,
    StoredPage,
)
from newsvault.store.schema import MIGRATIONS

# Measured on fetched feeds (rows of ~20 KB): 16 KB pages take half the CPU of 4 KB ones.
_PAGE_SIZE = 16384
_BULK_CHECKPOINT_PAGES = 2048  # 32 MB of WAL
# an article whose current version is the one an imported post gave it (no feed has
# revised it since the import): its next fetched version is compared by text first
_IMPORTED_UNREVISED = ("(post_layout IS NOT NULL AND revisions <="
                       " IFNULL(json_extract(post_layout, '$.revisions'), revisions))")
# A commit of a writer's sources fits in memory: at the default 2 MB, SQLite wrote pages to
# the WAL before the commit and read them back (strace: twice the reads, a third more writes).
_BULK_CACHE_KB = 16384
_SQLITE_MAX_PARAMS = 500  # per IN (...) list; far below SQLite's limit

# What an article shows (export, site, search): the content extracted from its page when
# there is one (pipeline/fulltext.py), else the feed's. The one place that chooses.
DISPLAYED_HTML = "COALESCE(a.fulltext_html, a.content_html)"
# ...and what tells the site that it changed; the feed's hash alone for most articles, so
# their digests are what they were before full text existed
_DISPLAYED_HASH = ("a.content_hash || COALESCE(' ' || a.fulltext_hash, '')"
                   " || COALESCE(' ' || a.image_url, '') || COALESCE(' ' || a.attachments, '')")
_PAGE_ATTEMPTS = 3  # a page that keeps failing with network errors is given up after this


class StoreError(NewsvaultError):
    pass


# a full disk (or database size limit), a failing write: said as such, not a traceback
_OUT_OF_ROOM = ("SQLITE_FULL", "SQLITE_IOERR")
# another connection's write outlasted the busy timeout
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_BUSY_SECONDS = 10


def _broken_hint(error: sqlite3.DatabaseError) -> str:
    if getattr(error, "sqlite_errorname", "") not in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
        return ""
    return ("; keep it aside (rename it) and rebuild the archive from its exported posts"
            " with `newsvault import jekyll _posts`")


class _UnlistedByUrl:
    """The fetched sources (not those known only from imported posts) whose names
    newsvault.toml no longer lists, by URL (configured or moved to): read once, so that
    adding thousands of sources (an OPML import) costs one pass, not one query each."""

    def __init__(self, db, listed: set[str]):
        self._by_url: dict[str, list[tuple[int, int]]] = {}  # url → [(configured, id)]
        rows = db.execute("SELECT id, name, url, current_url, configured FROM sources"
                          " WHERE url != ''")
        for source_id, name, url, current_url, was_configured in rows:
            if name not in listed:
                for address in {url, current_url} - {None}:
                    self._by_url.setdefault(address, []).append((was_configured, source_id))

    def take(self, url: str) -> int | None:
        """The id of such a source at ``url`` (the one configured last, if several), which
        is no longer unlisted once taken."""
        candidates = self._by_url.get(url)
        if not candidates:
            return None
        _, source_id = max(candidates)
        for found in self._by_url.values():
            found[:] = [candidate for candidate in found if candidate[1] != source_id]
        return source_id


class SqliteStore:
    def __init__(self, path: Path, bulk_writes: bool = False):
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute(f"PRAGMA page_size={_PAGE_SIZE}")  # only a new file takes it
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute(f"PRAGMA busy_timeout={_BUSY_SECONDS * 1000}")
            if bulk_writes:
                # Each checkpoint syncs twice; at the default 1000 pages a fetch of 200 MB
                # of feeds would make a dozen or more of them.
                self._db.execute(f"PRAGMA wal_autocheckpoint={_BULK_CHECKPOINT_PAGES}")
                self._db.execute(f"PRAGMA cache_size=-{_BULK_CACHE_KB}")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"store: cannot open {self.path}: {error}{_broken_hint(error)}") from None

    def close(self) -> None:
        self._db.close()

    # -- schema ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        if self._schema_version() == len(MIGRATIONS):
            return
        # two commands opening a new archive at once would both create its tables: the
        # version is read again once the other has finished
        with folder_locked(self.path.resolve().parent):
            version = self._schema_version()
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                if callable(step):
                    with self._transaction() as db:
                        step(db)
                        db.execute(f"PRAGMA user_version={number}")
                    continue
                # executescript commits first; BEGIN/COMMIT inside makes the step atomic
                self._db.executescript(
                    f"BEGIN;\n{step}\nPRAGMA user_version={number};\nCOMMIT;")

    def _schema_version(self) -> int:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"store: {self.path} was written by a newer newsvault (schema {version}); upgrade"
            )
        return version

    @contextmanager
    def _transaction(self):
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:  # SQLite rolls back by itself on a full disk
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            name = getattr(error, "sqlite_errorname", "")
            if name.startswith(_OUT_OF_ROOM):
                raise StoreError(f"store: {self.path}: {error}; nothing of this step was "
                                 "written: free some space and run again") from error
            if name.startswith(_BUSY):
                raise StoreError(
                    f"store: {self.path}: {error}: another program has held a write on it for "
                    f"{_BUSY_SECONDS} s (a database browser with unsaved changes?); nothing of "
                    "this step was written") from error
            raise

    def archive_id(self) -> str:
        """This database's identity, random, made once when it was created (or upgraded to
        schema 8): a copy of the file has the same, a database rebuilt anew another."""
        return self._db.execute("SELECT archive_id FROM archive_identity").fetchone()[0]

    def integrity_check(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- sources --------------------------------------------------------------------------

    def sync_sources(self, configured: list[SourceSettings], now_ms: int) -> None:
        """Make the source table follow newsvault.toml (by name); keep unlisted ones' history.
        A new name for the URL of a source no longer listed is that source renamed: it
        keeps its articles and fetch state."""
        listed = {source.name for source in configured}
        with self._transaction() as db:
            known = {row[0]: row[1] for row in db.execute("SELECT name, url FROM sources")}
            self._rename_given_away(db, configured, known)
            unlisted = _UnlistedByUrl(db, listed)
            for source in configured:
                tags = json.dumps(source.tags, ensure_ascii=False)
                if source.name not in known:
                    renamed = unlisted.take(source.url)
                    if renamed is not None:
                        db.execute("UPDATE sources SET name = ?, tags = ?, configured = 1"
                                   " WHERE id = ?", (source.name, tags, renamed))
                        continue
                    db.execute(
                        "INSERT INTO sources (name, url, tags, configured, created_ms)"
                        " VALUES (?, ?, ?, 1, ?)",
                        (source.name, source.url, tags, now_ms),
                    )
                elif known[source.name] != source.url:
                    # the user changed the URL: forget what we learned about the old one
                    db.execute(
                        "UPDATE sources SET url = ?, tags = ?, configured = 1, current_url = NULL,"
                        " etag = NULL, last_modified = NULL, retry_after_ms = NULL, dead = 0"
                        " WHERE name = ?",
                        (source.url, tags, source.name),
                    )
                else:
                    db.execute(
                        "UPDATE sources SET tags = ?, configured = 1 WHERE name = ?",
                        (tags, source.name),
                    )
            # a name the file no longer lists (one renamed through its URL has gone already)
            db.executemany("UPDATE sources SET configured = 0 WHERE name = ?",
                           [(name,) for name in known if name not in listed])

    @staticmethod
    def _rename_given_away(db, configured: list[SourceSettings], known: dict[str, str]) -> None:
        """A source renamed in the same edit that gave its old name to another feed: the
        new name has the source's URL, the old name another URL. The source (articles,
        fetch state) goes with its URL to the new name; the old name is a new source."""
        wanted_url = {source.name: source.url for source in configured}
        name_at = {url: name for name, url in known.items()}
        for source in configured:
            old_name = name_at.get(source.url)
            if (source.name not in known and old_name is not None
                    and wanted_url.get(old_name, source.url) != source.url):
                db.execute("UPDATE sources SET name = ? WHERE name = ?", (source.name, old_name))
                known[source.name] = known.pop(old_name)
                del name_at[source.url]

    def ensure_source(self, name: str, url: str, now_ms: int) -> int:
        """A source known only from imported posts (not fetched unless configured)."""
        row = self._db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        cursor = self._db.execute(
            "INSERT INTO sources (name, url, configured, created_ms) VALUES (?, ?, 0, ?)",
            (name, url, now_ms),
        )
        return cursor.lastrowid

    def configured_sources(self) -> list[Source]:
        rows = self._db.execute(
            "SELECT id, name, COALESCE(current_url, url), tags, etag, last_modified,"
            " retry_after_ms, dead, consecutive_failures, url FROM sources WHERE configured = 1"
            " ORDER BY id"
        )
        return [
            Source(
                id=row[0], name=row[1], url=row[2], tags=json.loads(row[3]), etag=row[4],
                last_modified=row[5], retry_after_ms=row[6], dead=bool(row[7]),
                consecutive_failures=row[8], configured_url=row[9] if row[9] != row[2] else None,
            )
            for row in rows
        ]

    # -- fetch results --------------------------------------------------------------------

    def save_fetch(self, source: Source, entries: list[Entry], record: FetchRecord) -> IngestCounts:
        """Store one source's items and its new state, all in one transaction."""
        [result] = self.save_fetches([FetchResult(source, entries, record)])
        if isinstance(result, Exception):
            raise result
        return result

    def save_fetch_failure(self, source: Source, record: FetchRecord) -> None:
        self.save_fetch(source, [], record)

    def save_fetches(self, results: list[FetchResult]) -> list[IngestCounts | Exception]:
        """Store several sources' fetches in one commit (one commit per source would spend
        more time syncing than writing). Each source is all-or-nothing within it: one that
        fails is rolled back alone and its exception returned in its place."""
        try:
            with self._transaction() as db:
                seqs = _SeqAllocator(db)
                saved = [self._save_or_flag(db, seqs, result) for result in results]
                seqs.store()
            return saved
        except _SourceFailed:  # the whole batch was rolled back: again, one by one
            return self._save_each_alone(results)

    def _save_or_flag(self, db, seqs: "_SeqAllocator", result: FetchResult) -> IngestCounts:
        try:
            return self._save_one(db, seqs, result)
        except Exception as error:  # noqa: BLE001 - told apart from a failing BEGIN or COMMIT
            raise _SourceFailed from error

    def _save_each_alone(self, results: list[FetchResult]) -> list[IngestCounts | Exception]:
        """Each source in a savepoint of its own. Only once a batch has failed: a savepoint
        copies every page it changes to a statement journal (the index pages each source's
        articles touch): about a sixth of the time spent storing, bench/writer_bench.py."""
        saved: list[IngestCounts | Exception] = []
        with self._transaction() as db:
            seqs = _SeqAllocator(db)
            for result in results:
                db.execute("SAVEPOINT source")
                try:
                    saved.append(self._save_one(db, seqs, result))
                except Exception as error:  # noqa: BLE001 - reported per source by the caller
                    if not db.in_transaction:  # a full disk: SQLite rolled back everything
                        raise
                    db.execute("ROLLBACK TO source")
                    saved.append(error)
                db.execute("RELEASE source")
            seqs.store()
        return saved

    def _save_one(self, db, seqs: "_SeqAllocator", result: FetchResult) -> IngestCounts:
        source, record = result.source, result.record
        counts = IngestCounts()
        keyed = result.keyed if result.keyed is not None else unique_entries(result.entries)
        if keyed:
            counts = self._ingest(db, seqs, source.id, keyed, record.finished_ms,
                                  result.wants_page or set())
        self._update_source_state(db, source, record, failed=record.status == "error")
        self._insert_fetch_run(db, source.id, record, counts)
        return counts

    def _update_source_state(self, db, source: Source, record: FetchRecord, failed: bool):
        failures = source.consecutive_failures + 1 if failed else 0
        if record.status == "skipped":
            failures = source.consecutive_failures
        db.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, retry_after_ms = ?, dead = ?,"
            " consecutive_failures = ?, current_url = COALESCE(?, current_url) WHERE id = ?",
            (source.etag, source.last_modified, source.retry_after_ms, int(source.dead),
             failures, record.moved_to, source.id),
        )

    def _insert_fetch_run(self, db, source_id: int, record: FetchRecord, counts: IngestCounts):
        db.execute(
            "INSERT INTO fetch_runs (source_id, started_ms, finished_ms, status, http_status,"
            " bytes, items, new, updated, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source_id, record.started_ms, record.finished_ms, record.status, record.http_status,
             record.bytes, record.items, counts.new, counts.updated, record.error),
        )

    def _ingest(self, db, seqs: "_SeqAllocator", source_id: int, keyed: list[KeyedEntry],
                now_ms: int, wants_page: set[str]) -> IngestCounts:
        by_guid = self._articles_by_guid(db, source_id, [keys.guid for keys in keyed])
        by_url = self._articles_by_url_key(db, [keys.url_key for keys in keyed if keys.url_key])
        counts = IngestCounts()
        pages: list[tuple[int]] = []
        for keys in keyed:
            guid, url_key = keys.guid, keys.url_key
            found = by_guid.get(guid) or (by_url.get(url_key) if url_key else None)
            if found is None and not url_key and keys.entry.url:
                found = self._imported_post_of(db, source_id, keys)
            if found is None and keys.entry.proxy_url:
                found = self._archived_under_proxy(db, keys.entry.proxy_url)
            if found is None:
                article_id = self._insert_article(db, seqs, source_id, keys, now_ms)
                if url_key:
                    by_url[url_key] = (article_id, source_id, None, False, True,
                                       keys.entry.image, _attachments_json(keys.entry))
                counts.new += 1
                if guid in wants_page:
                    pages.append((article_id,))
                continue
            if found[1] != source_id and not self._carried_here(db, found, source_id, now_ms):
                counts.unchanged += 1
            elif self._revise(db, seqs, found, keys, now_ms, guid in wants_page):
                counts.updated += 1
                if guid in wants_page:
                    pages.append((found[0],))
            else:
                counts.unchanged += 1
            self._keep_beside_content(db, seqs, found, keys.entry)
        if pages:
            db.executemany("INSERT OR IGNORE INTO page_queue (article_id) VALUES (?)", pages)
        return counts

    @staticmethod
    def _keep_beside_content(db, seqs: "_SeqAllocator", found: tuple, entry: Entry) -> None:
        """A new picture beside an article's content, or new attachments, are kept (no
        revision: the text did not change); an item that no longer names them keeps
        those it had."""
        image = entry.image if entry.image and entry.image != found[5] else None
        attachments = _attachments_json(entry)
        if attachments == found[6]:
            attachments = None
        if image or attachments:
            db.execute("UPDATE articles SET image_url = COALESCE(?, image_url),"
                       " attachments = COALESCE(?, attachments), change_seq = ? WHERE id = ?",
                       (image, attachments, seqs.next(), found[0]))

    @staticmethod
    def _carried_here(db, found: tuple, source_id: int, now_ms: int) -> bool:
        """An article another source archived, in this source's feed too: recorded as
        "also in". Its newest version is this feed's only when its own source is no longer
        fetched (renamed, removed, or known only from imported posts) and, of the fetched
        sources that carry it, this one came first."""
        article_id, owner_fetched = found[0], found[4]
        db.execute("INSERT OR IGNORE INTO also_in (article_id, source_id, first_seen_ms)"
                   " VALUES (?, ?, ?)", (article_id, source_id, now_ms))
        if owner_fetched:
            return False
        first = db.execute(
            "SELECT MIN(i.source_id) FROM also_in i JOIN sources s ON s.id = i.source_id"
            " WHERE i.article_id = ? AND s.configured = 1", (article_id,)).fetchone()[0]
        return first == source_id

    def _imported_post_of(self, db, source_id: int, keys: KeyedEntry) -> tuple | None:
        """The article imported from a post of this source, with this item's link and
        title, where the link identifies no article (a podcast's episodes that all link to
        the show's page): its post knows no guid, and from now on it has the item's."""
        found = self._articles_by(
            db, "url", [keys.entry.url], " AND a.source_id = ? AND a.title = ?"
            " AND a.url_key IS NULL AND a.guid LIKE ?",
            (source_id, keys.entry.title, IMPORTED_POST_GUID + "%")).get(keys.entry.url)
        if found:
            db.execute("UPDATE articles SET guid = ? WHERE id = ?", (keys.guid, found[0]))
        return found

    def _archived_under_proxy(self, db, proxy_url: str) -> tuple | None:
        """The article an older newsvault archived under the link a feed proxy gave the item
        (its posts' from: is that link, so a database rebuilt from them knows no other)."""
        key = canonical_url(proxy_url)
        return self._articles_by_url_key(db, [key]).get(key) if key else None

    def _articles_by_guid(self, db, source_id: int, guids: list[str]) -> dict:
        return self._articles_by(db, "guid", guids, " AND a.source_id = ?", (source_id,))

    def _articles_by_url_key(self, db, url_keys: list[str]) -> dict:
        """As _articles_by, where an article archived under the link's other scheme
        (http for https, or the reverse) is found too, if none is under its own."""
        twins = {twin: key for key in url_keys if (twin := scheme_twin(key))}
        found = self._articles_by(db, "url_key", [*url_keys, *twins])
        for twin, key in twins.items():
            if twin in found and key not in found:
                found[key] = found[twin]
        return found

    @staticmethod
    def _articles_by(db, key: str, values: list[str], also: str = "", params: tuple = ()) -> dict:
        """``key`` value → (id, source id, content hash, imported and unrevised, whether its
        source is fetched, picture, attachments as stored) of the articles whose ``key``
        is one of ``values``."""
        found = {}
        for chunk in _chunks(values):
            rows = db.execute(
                f"SELECT a.{key}, a.id, a.source_id, a.content_hash, {_IMPORTED_UNREVISED},"
                " s.configured, a.image_url, a.attachments"
                " FROM articles a JOIN sources s ON s.id = a.source_id"
                f" WHERE a.{key} IN ({_marks(chunk)}){also}",
                (*chunk, *params),
            )
            found.update((row[0], row[1:]) for row in rows)
        return found

    def _insert_article(self, db, seqs, source_id, keys: KeyedEntry, now_ms) -> int:
        entry = keys.entry
        # CAST: the content comes as UTF-8 bytes, which SQLite takes as text unchanged
        cursor = db.execute(
            "INSERT INTO articles (source_id, guid, url, url_key, title, author, published_raw,"
            " published_ms, first_seen_ms, updated_ms, content_html, summary, content_hash,"
            " tags, change_seq, image_url, attachments)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?)",
            (source_id, keys.guid, entry.url, keys.url_key, entry.title, entry.author,
             entry.published_raw, entry.published_ms, now_ms, now_ms, keys.content,
             entry.summary, keys.digest, json.dumps(entry.tags, ensure_ascii=False), seqs.next(),
             entry.image, _attachments_json(entry)),
        )
        return cursor.lastrowid

    def _revise(self, db, seqs, found: tuple, keys: KeyedEntry, now_ms: int,
                page_wanted: bool = False) -> bool:
        """A changed title or content becomes a new revision; the old one is kept.

        The content extracted from the article's page is kept while a new page is wanted
        (until it comes, it is the fullest text there is); otherwise the new version of the
        item is whole, and shown instead."""
        article_id, _, old_hash, imported_unrevised, *_ = found
        entry, new_hash = keys.entry, keys.digest
        if new_hash == old_hash:
            return False
        title, content, stored_ms = db.execute(
            "SELECT title, content_html, published_ms FROM articles WHERE id = ?",
            (article_id,)).fetchone()
        if read_as_now(title, content, entry):  # no version was made at the source
            db.execute("UPDATE articles SET title = ?, content_html = CAST(? AS TEXT),"
                       " summary = ?, content_hash = ?, change_seq = ? WHERE id = ?",
                       (entry.title, keys.content, entry.summary, new_hash, seqs.next(),
                        article_id))
            return False
        if same_but_for_white_space(content, entry.content_html):  # no edit anyone could read
            if title != entry.title and reads_the_same(title, entry.title):
                # stored as an older newsvault read it (its entities or tags left in):
                # the title is corrected, and no version was made at the source
                db.execute("UPDATE articles SET title = ?, content_hash = ?, change_seq = ?"
                           " WHERE id = ?", (entry.title, new_hash, seqs.next(), article_id))
                return False
            if title == entry.title:
                return False
        if imported_unrevised and titled_as_posted(title, entry) and reads_as_imported(
                entry.content_html, content, page_wanted):
            return False  # the version the post was made from, not an edit at the source
        db.execute(
            "INSERT INTO revisions (article_id, seen_ms, title, content_html, content_hash,"
            " published_raw, published_ms) SELECT id, updated_ms, title, content_html,"
            " content_hash, published_raw, published_ms FROM articles WHERE id = ?",
            (article_id,),
        )
        db.execute(
            "UPDATE articles SET title = ?, content_html = CAST(? AS TEXT), summary = ?,"
            " content_hash = ?,"
            " published_raw = COALESCE(?, published_raw), published_ms = COALESCE(?, published_ms),"
            " updated_ms = ?, revisions = revisions + 1, change_seq = ?,"
            " fulltext_html = CASE WHEN ? THEN fulltext_html END,"
            " fulltext_hash = CASE WHEN ? THEN fulltext_hash END WHERE id = ?",
            (entry.title, keys.content, entry.summary, new_hash, *_new_date(entry, stored_ms),
             now_ms, seqs.next(), page_wanted, page_wanted, article_id),
        )
        return True

    def _next_seq(self, db) -> int:
        return db.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value"
        ).fetchone()[0]

    # -- import ---------------------------------------------------------------------------

    def import_articles(self, articles: Iterable[ArchivedArticle]) -> int:
        """Add articles read from an existing archive, all in one transaction; how many.

        ``articles`` may be a generator: they are streamed in. The caller leaves out those
        already archived (``archived_import_keys``); the INSERT is plain, so one that is
        there after all fails the import rather than vanishing from it.
        """
        revisions: list[tuple] = []
        try:
            with self._transaction() as db:
                first_id, first_seq = self._import_numbers(db)
                rows = (self._imported_row(article, first_id + n, first_seq + n, revisions)
                        for n, article in enumerate(articles))
                added = max(db.executemany(
                    "INSERT INTO articles (id, change_seq, source_id, guid, url, url_key, title,"
                    " author, published_raw, published_ms, first_seen_ms, updated_ms,"
                    " content_html, content_hash, tags, revisions, post_name, post_layout)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                ).rowcount, 0)
                db.executemany(
                    "INSERT INTO revisions (article_id, seen_ms, title, content_html, content_hash)"
                    " VALUES (?, ?, ?, ?, ?)",
                    revisions,
                )
                db.execute("UPDATE counters SET value = ? WHERE name = 'change_seq'",
                           (first_seq + added - 1,))
        except sqlite3.IntegrityError as error:
            raise StoreError(f"import: {error}; nothing was imported") from None
        return added

    def _import_numbers(self, db) -> tuple[int, int]:
        """The first free article id and change_seq: an import numbers its articles itself,
        inside its write transaction, instead of asking once per article."""
        first_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0]
        seq = db.execute("SELECT value FROM counters WHERE name = 'change_seq'").fetchone()[0]
        return first_id, seq + 1

    @staticmethod
    def _imported_row(article: ArchivedArticle, article_id: int, seq: int,
                      revisions: list[tuple]) -> tuple:
        current = article.versions[-1]
        revisions.extend(
            (article_id, version.seen_ms, version.title, version.content_html,
             content_hash(version.title, version.content_html))
            for version in article.versions[:-1]
        )
        return (
            article_id, seq, article.source_id, article.guid or article.url or current.title,
            article.url, canonical_url(article.url) if article.known_by_link else None,
            current.title, article.author,
            article.published_raw, article.published_ms, article.first_seen_ms, current.seen_ms,
            current.content_html, content_hash(current.title, current.content_html),
            json.dumps(article.tags, ensure_ascii=False), len(article.versions),
            article.post_name, json.dumps(article.post_layout, ensure_ascii=False),
        )

    def archived_import_keys(self, url_keys: list[str], guids: list[tuple[int, str]]
                             ) -> tuple[set[str], set[tuple[int, str]]]:
        """Which of these canonical links (also when archived under the other scheme,
        http for https or the reverse), and of these (source id, guid) pairs, are archived."""
        twins = {twin: key for key in url_keys if (twin := scheme_twin(key))}
        links: set[str] = set()
        for chunk in _chunks([*url_keys, *twins]):
            rows = self._db.execute(
                f"SELECT url_key FROM articles WHERE url_key IN ({_marks(chunk)})", chunk)
            links.update(twins.get(row[0], row[0]) for row in rows)
        by_source: dict[int, list[str]] = {}
        for source_id, guid in guids:
            by_source.setdefault(source_id, []).append(guid)
        found: set[tuple[int, str]] = set()
        for source_id, source_guids in by_source.items():
            for chunk in _chunks(source_guids):
                rows = self._db.execute(
                    f"SELECT guid FROM articles WHERE source_id = ? AND guid IN ({_marks(chunk)})",
                    (source_id, *chunk))
                found.update((source_id, row[0]) for row in rows)
        return links, found

    def archived_posts_known_by_file(self, names: list[str]) -> set[tuple[str, str]]:
        """Of these post file names, the (subfolder or "", name) of the posts archived
        articles without a link that identifies them (none, a site's home page…) are
        written to."""
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(set(names))):
            rows = self._db.execute(
                "SELECT IFNULL(json_extract(post_layout, '$.folder'), ''), post_name"
                f" FROM articles WHERE url_key IS NULL AND post_name IN ({_marks(chunk)})",
                chunk)
            found.update((folder, name) for folder, name in rows)
        return found

    def post_dates_named(self, first_day: str, end_day: str
                         ) -> list[tuple[str, str | None, int | None, int]]:
        """(post name, an imported post's date as written or None, published_ms,
        first_seen_ms) of the posts whose names start with a day from ``first_day`` up to,
        not including, ``end_day`` (YYYY-MM-DD)."""
        return self._db.execute(
            "SELECT post_name, json_extract(post_layout, '$.date'), published_ms, first_seen_ms"
            " FROM articles WHERE post_name >= ? AND post_name < ?", (first_day, end_day)
        ).fetchall()

    def taken_post_names(self) -> set[str]:
        rows = self._db.execute("SELECT post_name FROM articles WHERE post_name IS NOT NULL")
        return {row[0] for row in rows}

    # -- export ---------------------------------------------------------------------------

    def current_seq(self) -> int:
        return self._db.execute(
            "SELECT value FROM counters WHERE name = 'change_seq'"
        ).fetchone()[0]

    def export_seq(self, target: str) -> int:
        row = self._db.execute("SELECT last_seq FROM exports WHERE target = ?", (target,))
        found = row.fetchone()
        return found[0] if found else 0

    def set_export_seq(self, target: str, seq: int) -> None:
        self._db.execute(
            "INSERT INTO exports (target, last_seq) VALUES (?, ?)"
            " ON CONFLICT (target) DO UPDATE SET last_seq = excluded.last_seq",
            (target, seq),
        )

    def source_post_digests(self) -> dict[int, str]:
        """Source id → a digest of what its fetched articles' posts carry of it (name, tags)."""
        return {row[0]: hashlib.blake2b(f"{row[1]}\x1e{row[2]}".encode(), digest_size=12)
                .hexdigest() for row in self._db.execute("SELECT id, name, tags FROM sources")}

    def export_source_digests(self, target: str) -> dict[int, str]:
        return dict(self._db.execute(
            "SELECT source_id, digest FROM export_sources WHERE target = ?", (target,)))

    def set_export_source_digests(self, target: str, digests: dict[int, str]) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM export_sources WHERE target = ?", (target,))
            db.executemany("INSERT INTO export_sources (target, source_id, digest)"
                           " VALUES (?, ?, ?)", [(target, *pair) for pair in digests.items()])

    def posted_articles_of(self, source_ids: list[int]) -> list[int]:
        """The fetched (not imported) articles of these sources that have a post."""
        ids = []
        for chunk in _chunks(source_ids):
            ids += [row[0] for row in self._db.execute(
                "SELECT id FROM articles WHERE post_name IS NOT NULL AND post_layout IS NULL"
                f" AND source_id IN ({_marks(chunk)})", chunk)]
        return ids

    def export_rows(self, after_seq: int = 0, only_ids: list[int] | None = None,
                    unnamed: bool = False, content_bytes: bool = False,
                    clean: bool = False) -> Iterator[ExportRow]:
        """Articles changed after ``after_seq`` (or those named), oldest change first.

        ``unnamed``: only those without a file name yet, and without their content (which
        naming does not need), so that naming every post of an archive stays cheap.
        ``content_bytes``: the content as its UTF-8 bytes, for a writer that needs no text.
        ``clean``: the clean HTML where it is up to date (``ExportRow.clean`` says so),
        else the displayed content (the page's with full text) to clean; without it, the
        feed item's HTML exactly as the source gave it (``export jekyll --raw``); with it,
        an imported Markdown post's stored body too (``ExportRow.markdown``).
        """
        clean = clean and not unnamed
        content, is_clean, join = "''" if unnamed else "a.content_html", "0", ""
        markdown = "NULL"
        if clean:  # the clean HTML made from the current version, else the displayed content
            content = f"CASE WHEN c.html IS NULL THEN {DISPLAYED_HTML} ELSE c.html END"
            is_clean = "c.html IS NOT NULL"
            join = (" LEFT JOIN clean_html c"
                    " ON c.article_id = a.id AND c.change_seq = a.change_seq")
            markdown = "CASE WHEN json_extract(a.post_layout, '$.markdown') THEN a.content_html END"
        if content_bytes:
            content, markdown = f"CAST({content} AS BLOB)", f"CAST({markdown} AS BLOB)"
        query = (
            "SELECT a.id, s.name, s.tags, a.title, a.author, a.url, a.published_ms, a.first_seen_ms,"
            f" {content}, a.post_name, a.post_layout, a.change_seq, a.revisions, {is_clean},"
            f" {markdown}"
            f" FROM articles a JOIN sources s ON s.id = a.source_id{join}"
        )
        if only_ids is not None:
            batches = (
                self._db.execute(f"{query} WHERE a.id IN ({_marks(chunk)})", chunk)
                for chunk in _chunks(only_ids)
            )
            rows = (row for batch in batches for row in batch)
        else:
            where = " AND a.post_name IS NULL" if unnamed else ""
            rows = self._db.execute(
                f"{query} WHERE a.change_seq > ?{where} ORDER BY a.change_seq", (after_seq,))
        for row in rows:
            yield ExportRow(
                id=row[0], source_name=row[1], source_tags=json.loads(row[2]), title=row[3],
                author=row[4], url=row[5], published_ms=row[6], first_seen_ms=row[7],
                content_html=row[8], post_name=row[9],
                post_layout=json.loads(row[10]) if row[10] else None, change_seq=row[11],
                revisions=row[12], clean=bool(row[13]), markdown=row[14],
            )

    def post_names(self) -> list[tuple[int, str, str | None]]:
        """(article id, post file name, the subfolder an imported post was in, or None)."""
        return self._db.execute(
            "SELECT id, post_name, json_extract(post_layout, '$.folder') FROM articles"
            " WHERE post_name IS NOT NULL"
        ).fetchall()

    def set_post_names(self, names: list[tuple[str, int]]) -> None:
        with self._transaction() as db:
            db.executemany("UPDATE articles SET post_name = ? WHERE id = ?", names)

    # -- full text ------------------------------------------------------------------------
    # page_queue holds the new and changed articles whose page is wanted (queued with their
    # feed's items, see _ingest); pipeline/fulltext.py fetches them and stores the result.

    def page_jobs(self, source_ids: list[int]) -> list[PageJob]:
        """The queued articles of these sources, oldest first."""
        jobs = []
        for chunk in _chunks(source_ids):
            rows = self._db.execute(
                "SELECT q.article_id, a.source_id, a.url, a.title, a.content_html,"
                " a.content_hash, q.attempts, p.etag, p.last_modified FROM page_queue q"
                " JOIN articles a ON a.id = q.article_id"
                " LEFT JOIN article_pages p ON p.article_id = q.article_id"
                f" WHERE a.source_id IN ({_marks(chunk)}) ORDER BY q.article_id",
                chunk,
            )
            jobs += [PageJob(*row) for row in rows]
        return jobs

    def stored_page(self, article_id: int) -> StoredPage | None:
        """The page kept from the last successful fetch, if any."""
        row = self._db.execute(
            "SELECT COALESCE(final_url, url), content_type, raw_html FROM article_pages"
            " WHERE article_id = ? AND raw_html IS NOT NULL",
            (article_id,),
        ).fetchone()
        return StoredPage(row[0], row[1], zlib.decompress(row[2])) if row else None

    def save_pages(self, results: list[PageResult]) -> None:
        """Store what the full-text step made of these jobs, in one transaction. An article
        whose shown content changes gets a new change_seq (exports, site and search follow
        it); its feed versions (revisions, content_hash) are left as they are."""
        with self._transaction() as db:
            seqs = _SeqAllocator(db)
            for result in results:
                self._save_page(db, seqs, result)
            seqs.store()

    def _save_page(self, db, seqs: "_SeqAllocator", result: PageResult) -> None:
        job = result.job
        if result.kind == "failed":
            self._record_page_failure(db, result)
        elif result.kind == "page":
            self._record_page(db, result)
        if result.kind != "failed":
            self._show_fulltext(db, seqs, job.article_id, result.fulltext_html)
        if result.retry and job.attempts + 1 < _PAGE_ATTEMPTS:
            db.execute("UPDATE page_queue SET attempts = attempts + 1 WHERE article_id = ?",
                       (job.article_id,))
        else:
            db.execute("DELETE FROM page_queue WHERE article_id = ?", (job.article_id,))

    def _show_fulltext(self, db, seqs: "_SeqAllocator", article_id: int, html: str | None):
        digest = content_hash("", html) if html is not None else None
        row = db.execute("SELECT fulltext_hash FROM articles WHERE id = ?",
                         (article_id,)).fetchone()
        if row is not None and row[0] != digest:
            db.execute("UPDATE articles SET fulltext_html = ?, fulltext_hash = ?, change_seq = ?"
                       " WHERE id = ?", (html, digest, seqs.next(), article_id))

    def _record_page(self, db, result: PageResult) -> None:
        job = result.job
        if result.raw_z is None:  # 304: the kept page is still the page
            db.execute(
                "UPDATE article_pages SET fetched_ms = ?, item_hash = ?, http_status = ?,"
                " error = NULL WHERE article_id = ?",
                (result.fetched_ms, job.content_hash, result.http_status, job.article_id),
            )
            return
        db.execute(
            "INSERT OR REPLACE INTO article_pages (article_id, url, final_url, fetched_ms,"
            " item_hash, http_status, content_type, etag, last_modified, raw_html, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (job.article_id, job.url, result.final_url, result.fetched_ms, job.content_hash,
             result.http_status, result.content_type, result.etag, result.last_modified,
             result.raw_z),
        )

    def _record_page_failure(self, db, result: PageResult) -> None:
        """The error is noted; a page kept from before stays (with its validators)."""
        job = result.job
        db.execute(
            "INSERT INTO article_pages (article_id, url, fetched_ms, item_hash, http_status,"
            " error) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET"
            " fetched_ms = excluded.fetched_ms, http_status = excluded.http_status,"
            " error = excluded.error",
            (job.article_id, job.url, result.fetched_ms, job.content_hash, result.http_status,
             result.error),
        )

    # -- status ---------------------------------------------------------------------------

    def source_statuses(self) -> list[SourceStatus]:
        rows = self._db.execute(
            """
            SELECT s.name, COALESCE(s.current_url, s.url), s.configured, s.dead,
                   s.consecutive_failures, s.retry_after_ms,
                   (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id),
                   r.finished_ms, r.status, r.error, r.http_status
            FROM sources s
            LEFT JOIN fetch_runs r ON r.id = (
                SELECT MAX(id) FROM fetch_runs WHERE source_id = s.id)
            ORDER BY s.configured DESC, s.id
            """
        )
        return [SourceStatus(*row[:3], bool(row[3]), *row[4:]) for row in rows]

    def page_problems(self) -> dict[str, tuple[int, int, str | None]]:
        """Source name → (article pages whose last fetch failed, pages queued for the next
        run, the latest failure's reason); sources with neither are left out."""
        problems: dict[str, list] = {}
        for name, failed, error, _ in self._db.execute(
                "SELECT s.name, COUNT(*), p.error, MAX(p.fetched_ms) FROM article_pages p"
                " JOIN articles a ON a.id = p.article_id JOIN sources s ON s.id = a.source_id"
                " WHERE p.error IS NOT NULL GROUP BY s.id"):  # error: that of the latest
            problems[name] = [failed, 0, error]
        for name, waiting in self._db.execute(
                "SELECT s.name, COUNT(*) FROM page_queue q JOIN articles a ON a.id = q.article_id"
                " JOIN sources s ON s.id = a.source_id GROUP BY s.id"):
            problems.setdefault(name, [0, 0, None])[1] = waiting
        return {name: tuple(values) for name, values in problems.items()}

    def totals(self) -> dict[str, int]:
        articles, revisions = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(revisions), 0) FROM articles"
        ).fetchone()
        sources = self._db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
        runs = self._db.execute("SELECT COUNT(*) FROM fetch_runs").fetchone()[0]
        return {"sources": sources, "articles": articles, "versions": revisions,
                "fetch_runs": runs}

    # -- site -----------------------------------------------------------------------------
    # site/ reads the articles without their content to plan the pages, then the content of
    # those it renders. Its build state lives in the output folder, not here.

    def site_sources(self) -> dict[int, tuple[str, list[str]]]:
        """Source id → (name, tags)."""
        return {row[0]: (row[1], json.loads(row[2]))
                for row in self._db.execute("SELECT id, name, tags FROM sources ORDER BY id")}

    def site_state(self) -> tuple[int, int]:
        """(how many articles, the last change_seq), read together."""
        return self._db.execute(
            "SELECT (SELECT COUNT(*) FROM articles),"
            " (SELECT value FROM counters WHERE name = 'change_seq')").fetchone()

    def newest_change(self) -> tuple[int, int] | None:
        """(id, change_seq) of the article changed last, if any."""
        return self._db.execute(
            "SELECT id, change_seq FROM articles ORDER BY change_seq DESC LIMIT 1").fetchone()

    def change_seq_of(self, article_id: int) -> int | None:
        row = self._db.execute("SELECT change_seq FROM articles WHERE id = ?",
                               (article_id,)).fetchone()
        return row[0] if row else None

    def site_articles(self, after_seq: int = 0) -> Iterator[SiteArticleRow]:
        """Every article but its content, by id (a scan of the covering index
        articles_site_listing); or those changed after ``after_seq``, oldest change first."""
        sources = self.site_sources()
        columns = ("a.id, a.source_id, a.title, a.author, a.url, a.published_ms, a.first_seen_ms,"
                   " a.updated_ms, a.post_name, json_extract(a.post_layout, '$.date'),"
                   f" json_extract(a.post_layout, '$.tags'), {_DISPLAYED_HASH}, a.revisions")
        if after_seq:
            rows = self._db.execute(
                f"SELECT {columns} FROM articles a WHERE a.change_seq > ? ORDER BY a.change_seq",
                (after_seq,))
        else:
            rows = self._db.execute(f"SELECT {columns} FROM articles a ORDER BY a.id")
        parsed: dict[str, list[str]] = {}  # most articles share a few tag lists
        for row in rows:
            tags = row[10]
            if tags is not None and tags not in parsed:
                parsed[tags] = json.loads(tags)
            name, source_tags = sources[row[1]]
            yield SiteArticleRow(row[0], row[1], name, source_tags, *row[2:10],
                                 parsed[tags] if tags is not None else None, *row[11:])

    # -- clean HTML -----------------------------------------------------------------------
    # clean_html follows the articles through change_seq; content/clean.py brings it up to
    # date, export and site read it. A row made from an older change_seq is out of date.

    def display_sources(self, ids: list[int]) -> list[DisplaySource]:
        """What each of these articles displays before cleaning: its current content, and
        the address its relative URLs are resolved against. The one place that says which
        content is displayed."""
        rows = []
        for chunk in _chunks(ids):
            rows += self._db.execute(
                f"SELECT a.id, a.change_seq, a.url, {DISPLAYED_HTML}, a.image_url,"
                f" a.attachments FROM articles a WHERE a.id IN ({_marks(chunk)})",
                chunk).fetchall()
        return [DisplaySource(*row[:5], attachments=_attachments_read(row[5])) for row in rows]

    def earlier_versions(self, ids: list[int]) -> dict[int, list[ArchivedVersion]]:
        """Article id → the versions it showed before its current one, newest first."""
        found: dict[int, list[ArchivedVersion]] = {}
        for chunk in _chunks(ids):
            for article_id, *version in self._db.execute(
                    "SELECT article_id, seen_ms, title, content_html FROM revisions"
                    f" WHERE article_id IN ({_marks(chunk)}) ORDER BY seen_ms DESC, id DESC",
                    chunk):
                found.setdefault(article_id, []).append(ArchivedVersion(*version))
        return found

    def clean_state(self) -> tuple[int, str]:
        """(the change_seq up to which every article is cleaned, the sanitizer used)."""
        return self._db.execute("SELECT cleaned_seq, sanitizer FROM clean_state").fetchone()

    def reset_clean(self, sanitizer: str) -> None:
        """Forget every clean HTML, to be made again by ``sanitizer``."""
        with self._transaction() as db:
            db.execute("DELETE FROM clean_html")
            db.execute("UPDATE clean_state SET cleaned_seq = 0, sanitizer = ?", (sanitizer,))

    def changed_after(self, after_seq: int) -> list[tuple[int, int]]:
        """(id, change_seq) of the articles changed after ``after_seq``, oldest change first."""
        return self._db.execute(
            "SELECT id, change_seq FROM articles WHERE change_seq > ? ORDER BY change_seq",
            (after_seq,),
        ).fetchall()

    def save_clean(self, expected_seq: int, new_seq: int,
                   cleaned: list[tuple[int, int, str]]) -> bool:
        """Store (article id, change_seq it was made from, clean HTML) rows and move the
        watermark from ``expected_seq`` to ``new_seq``; False, storing nothing, when another
        process moved it meanwhile."""
        with self._transaction() as db:
            if db.execute("SELECT cleaned_seq FROM clean_state").fetchone()[0] != expected_seq:
                return False
            db.executemany("INSERT OR REPLACE INTO clean_html (article_id, change_seq, html)"
                           " VALUES (?, ?, ?)", cleaned)
            db.execute("UPDATE clean_state SET cleaned_seq = ?", (new_seq,))
        return True

    def clean_contents(self, ids: list[int]) -> Iterator[tuple[int, str]]:
        """(id, clean HTML) of those of these articles whose clean HTML is up to date. The
        change_seq index answers for the articles: their rows are not read."""
        for chunk in _chunks(ids):
            yield from self._db.execute(
                "SELECT c.article_id, c.html FROM clean_html c"
                " JOIN articles a INDEXED BY articles_change_seq"
                " ON a.change_seq = c.change_seq AND a.id = c.article_id"
                f" WHERE c.article_id IN ({_marks(chunk)})", chunk)

    # -- media ----------------------------------------------------------------------------
    # pipeline/media.py scans articles changed since media_state.scanned_seq for images
    # (article_media), downloads the media rows not yet stored, and bumps the change_seq of
    # the articles whose images it stored, so that exports and the site pick them up.

    def media_scanned_seq(self) -> int:
        return self._db.execute("SELECT scanned_seq FROM media_state").fetchone()[0]

    def media_scan_rows(self, after_seq: int) -> Iterator[tuple[int, str | None, str]]:
        """(id, link, displayed HTML, picture) of the articles changed after ``after_seq``."""
        yield from self._db.execute(
            f"SELECT a.id, a.url, {DISPLAYED_HTML}, a.image_url FROM articles a"
            " WHERE a.change_seq > ?"
            " ORDER BY a.change_seq", (after_seq,))

    def set_article_media(self, found: list[tuple[int, list[str]]],
                          scanned_seq: int | None = None) -> None:
        """Each article's images are now ``urls`` (new URLs wait as 'pending');
        ``scanned_seq``: then every article up to it has been scanned."""
        with self._transaction() as db:
            for article_id, urls in found:
                db.execute("DELETE FROM article_media WHERE article_id = ?", (article_id,))
                db.executemany("INSERT OR IGNORE INTO article_media (article_id, url) VALUES (?, ?)",
                               [(article_id, url) for url in urls])
                db.executemany("INSERT OR IGNORE INTO media (url) VALUES (?)",
                               [(url,) for url in urls])
            if scanned_seq is not None:
                db.execute("UPDATE media_state SET scanned_seq = ?", (scanned_seq,))

    def media_to_download(self, max_attempts: int, limit: int) -> list[tuple[int, str]]:
        """(article id, URL) of at most ``limit`` images not stored yet that may be tried
        (again): those tried least often first, then the newest articles' first."""
        return self._db.execute(
            "SELECT am.article_id, m.url FROM ("
            "  SELECT url, attempts, (SELECT MAX(article_id) FROM article_media a"
            "                         WHERE a.url = media.url) AS newest"
            "  FROM media WHERE status != 'ok' AND attempts < ? AND newest IS NOT NULL"
            "  ORDER BY attempts, newest DESC, url LIMIT ?"
            ") m JOIN article_media am ON am.url = m.url ORDER BY am.article_id DESC, m.url",
            (max_attempts, limit)).fetchall()

    def article_media_bytes(self, article_ids: list[int]) -> dict[int, int]:
        """Bytes of the images stored so far for each of these articles."""
        spent: dict[int, int] = {}
        for chunk in _chunks(article_ids):
            for article_id, total in self._db.execute(
                    "SELECT am.article_id, SUM(m.bytes) FROM article_media am"
                    " JOIN media m ON m.url = am.url AND m.status = 'ok'"
                    f" WHERE am.article_id IN ({_marks(chunk)}) GROUP BY am.article_id", chunk):
                spent[article_id] = total
        return spent

    def save_media(self, result: MediaResult, max_attempts: int) -> None:
        if result.ok:
            self._db.execute(
                "UPDATE media SET status = 'ok', sha256 = ?, path = ?, bytes = ?, content_type = ?,"
                " error = NULL, fetched_ms = ? WHERE url = ?",
                (result.sha256, result.path, result.bytes, result.content_type,
                 result.fetched_ms, result.url))
            return
        self._db.execute(
            "UPDATE media SET status = 'failed', error = ?, fetched_ms = ?,"
            " attempts = CASE WHEN ? THEN MAX(attempts + 1, ?) ELSE attempts + 1 END"
            " WHERE url = ?",
            (result.error, result.fetched_ms, result.permanent, max_attempts, result.url))

    def touch_articles(self, article_ids: list[int]) -> None:
        """A new change_seq for these articles (their images were stored): exports and
        the site render them again. They need no new scan: when nothing else changed since
        the last one, the scan mark moves past them."""
        if not article_ids:
            return
        with self._transaction() as db:
            seqs = _SeqAllocator(db)
            before = seqs._stored
            db.executemany("UPDATE articles SET change_seq = ? WHERE id = ?",
                           [(seqs.next(), article_id) for article_id in sorted(article_ids)])
            seqs.store()
            db.execute("UPDATE media_state SET scanned_seq = ? WHERE scanned_seq = ?",
                       (seqs._value, before))

    def local_media(self, article_ids: list[int] | None = None) -> dict[int, dict[str, str]]:
        """Article id → {image URL: stored path} for the images stored (of these articles,
        or of all)."""
        query = ("SELECT am.article_id, m.url, m.path FROM article_media am"
                 " JOIN media m ON m.url = am.url AND m.status = 'ok'")
        if article_ids is None:
            batches = [self._db.execute(query)]
        else:
            batches = (self._db.execute(f"{query} WHERE am.article_id IN ({_marks(chunk)})", chunk)
                       for chunk in _chunks(article_ids))
        found: dict[int, dict[str, str]] = {}
        for batch in batches:
            for article_id, url, path in batch:
                found.setdefault(article_id, {})[url] = path
        return found

    def media_totals(self) -> dict[str, int]:
        """Images by status, the bytes stored (each file once) and the bytes the articles
        reference (a file shown by two articles counts twice)."""
        counts = dict(self._db.execute("SELECT status, COUNT(*) FROM media GROUP BY status"))
        stored = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM (SELECT sha256, MAX(bytes) AS bytes"
            " FROM media WHERE status = 'ok' GROUP BY sha256)").fetchone()
        referenced = self._db.execute(
            "SELECT COALESCE(SUM(m.bytes), 0) FROM article_media am"
            " JOIN media m ON m.url = am.url AND m.status = 'ok'").fetchone()[0]
        return {"ok": counts.get("ok", 0), "pending": counts.get("pending", 0),
                "failed": counts.get("failed", 0), "files": stored[0],
                "stored_bytes": stored[1], "referenced_bytes": referenced}

    def media_failures(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(URL, reason, attempts) of images not stored, latest attempt first."""
        return self._db.execute(
            "SELECT url, error, attempts FROM media WHERE status = 'failed'"
            " ORDER BY fetched_ms DESC, url LIMIT ?", (limit,)).fetchall()

    # -- search ---------------------------------------------------------------------------
    # search_index (FTS5) and search_docs follow the articles through change_seq;
    # search/indexer.py brings them up to date, search/query.py asks them.

    def search_state(self) -> tuple[int, str]:
        """(the change_seq up to which every article is indexed, the tokenizer used)."""
        return self._db.execute("SELECT indexed_seq, tokenizer FROM search_state").fetchone()

    def reset_search_index(self, tokenizer: str) -> None:
        """Empty the index, to be rebuilt with ``tokenizer``."""
        with self.search_writer() as writer:
            writer.clear(tokenizer)

    def search_pending(self, after_seq: int) -> list[tuple[int, int]]:
        """(id, change_seq) of the articles changed after ``after_seq``, oldest change first."""
        return self._db.execute(
            "SELECT id, change_seq FROM articles WHERE change_seq > ? ORDER BY change_seq",
            (after_seq,),
        ).fetchall()

    def search_sources(self, ids: list[int]) -> list[SearchSource]:
        rows = []
        for chunk in _chunks(ids):
            rows += self._db.execute(
                f"SELECT a.id, a.title, CAST({DISPLAYED_HTML} AS BLOB), s.name FROM articles a"
                f" JOIN sources s ON s.id = a.source_id WHERE a.id IN ({_marks(chunk)})",
                chunk,
            ).fetchall()
        return [SearchSource(*row) for row in rows]

    def search_texts(self, ids: list[int]) -> dict[int, tuple[str, bytes]]:
        """Article id → (title, zlib-compressed plain text) as indexed, for these articles."""
        texts = {}
        for chunk in _chunks(ids):
            texts.update((row[0], row[1:]) for row in self._db.execute(
                "SELECT article_id, title, body FROM search_docs"
                f" WHERE article_id IN ({_marks(chunk)})", chunk))
        return texts

    @contextmanager
    def search_writer(self) -> Iterator["SearchWriter"]:
        """One write transaction on the search tables."""
        try:
            with self._transaction() as db:
                yield SearchWriter(db)
        except sqlite3.OperationalError as error:  # read-only, say
            raise StoreError(f"search: cannot update the index in {self.path}: {error}") from None
        except StoreError as error:  # busy for too long, disk full: said by _transaction
            raise StoreError(f"search: cannot update the index: {error}") from None

    def search(self, match: str, weights: tuple[float, float, float], limit: int,
               source: str | None = None) -> list[SearchRow]:
        """The best ``limit`` articles for an FTS5 MATCH expression, by bm25 with column
        ``weights`` (title, body, source); ``source``: only that source's articles."""
        in_source = (" AND rowid IN (SELECT a.id FROM articles a"
                     " JOIN sources s ON s.id = a.source_id WHERE s.name = ?)") if source else ""
        try:
            rows = self._db.execute(
                f"""
                WITH hits AS (
                    SELECT rowid AS id, bm25(search_index, ?, ?, ?) AS score
                    FROM search_index WHERE search_index MATCH ?{in_source}
                    ORDER BY score, rowid DESC LIMIT ?)
                SELECT a.id, a.title, a.url, s.name,
                       CASE WHEN a.published_ms IS NULL OR a.published_ms > a.first_seen_ms
                            THEN a.first_seen_ms ELSE a.published_ms END,
                       d.body
                FROM hits
                JOIN articles a ON a.id = hits.id
                JOIN sources s ON s.id = a.source_id
                JOIN search_docs d ON d.article_id = a.id
                ORDER BY hits.score, a.id DESC
                """,
                (*weights, match, *([source] if source else []), limit),
            ).fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"search: the index could not answer {match!r}: {error}") from None
        return [SearchRow(*row) for row in rows]

    def source_names(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT name FROM sources ORDER BY name")]


class SearchWriter:
    """The search tables inside one write transaction (``SqliteStore.search_writer``)."""

    def __init__(self, db):
        self._db = db

    def indexed_seq(self) -> int:
        return self._db.execute("SELECT indexed_seq FROM search_state").fetchone()[0]

    def set_indexed_seq(self, seq: int) -> None:
        self._db.execute("UPDATE search_state SET indexed_seq = ?", (seq,))

    def clear(self, tokenizer: str) -> None:
        self._db.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
        self._db.execute("DELETE FROM search_docs")
        self._db.execute("UPDATE search_state SET indexed_seq = 0, tokenizer = ?", (tokenizer,))

    def stored(self, ids: list[int]) -> list[SearchText]:
        """What is indexed now of these articles (those that are)."""
        rows = []
        for chunk in _chunks(ids):
            rows += self._db.execute(
                "SELECT article_id, title, body, source FROM search_docs"
                f" WHERE article_id IN ({_marks(chunk)})",
                chunk,
            ).fetchall()
        return [SearchText(*row) for row in rows]

    def remove(self, indexed: list[SearchTokens]) -> None:
        """Take articles out; a contentless FTS5 table needs the very tokens it was given."""
        self._db.executemany(
            "INSERT INTO search_index (search_index, rowid, title, body, source)"
            " VALUES ('delete', ?, ?, ?, ?)",
            [(tokens.article_id, tokens.title, tokens.body, tokens.source) for tokens in indexed],
        )
        self._db.executemany("DELETE FROM search_docs WHERE article_id = ?",
                             [(tokens.article_id,) for tokens in indexed])

    def add(self, texts: list[SearchText], tokens: list[SearchTokens]) -> None:
        self._db.executemany(
            "INSERT INTO search_index (rowid, title, body, source) VALUES (?, ?, ?, ?)",
            [(item.article_id, item.title, item.body, item.source) for item in tokens],
        )
        self._db.executemany(
            "INSERT INTO search_docs (article_id, title, body, source) VALUES (?, ?, ?, ?)",
            [(text.article_id, text.title, text.body_z, text.source) for text in texts],
        )


class _SourceFailed(Exception):
    """Saving one source of a batch failed (not the transaction around them)."""


class _SeqAllocator:
    """Hands out change_seq values inside one write transaction, reading and writing the
    counter once instead of once per article."""

    def __init__(self, db):
        self._db = db
        self._value = self._stored = db.execute(
            "SELECT value FROM counters WHERE name = 'change_seq'"
        ).fetchone()[0]

    def next(self) -> int:
        self._value += 1
        return self._value

    def store(self) -> None:
        if self._value != self._stored:
            self._db.execute("UPDATE counters SET value = ? WHERE name = 'change_seq'",
                             (self._value,))


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def _attachments_json(entry: Entry) -> str | None:
    """How an item's attachments are stored; None for none. One spelling for one list:
    a stored list is compared with a fetched one as text."""
    if not entry.attachments:
        return None
    return json.dumps([{"url": url, "type": mime_type, "length": length}
                       for url, mime_type, length in entry.attachments], ensure_ascii=False)


def _attachments_read(stored: str | None) -> list[Attachment]:
    if not stored:
        return []
    return [Attachment(item["url"], item.get("type"), item.get("length"))
            for item in json.loads(stored)]


def _new_date(entry: Entry, stored_ms: int | None) -> tuple[str | None, int | None]:
    """The published date a revision stores (None: the stored one stays). An article keeps
    the date it was first archived with: many CMSs date an item by its last edit, and a
    new date would move its Jekyll post's URL (built from ``date:``) off the one it was
    published at. Only an article that had none takes the item's."""
    if stored_ms is not None:
        return None, None
    return entry.published_raw, entry.published_ms


def _chunks(values: list, size: int = _SQLITE_MAX_PARAMS) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
