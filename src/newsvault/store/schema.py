"""The schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many have been applied; each runs in its own
transaction, so a killed migration leaves the previous version intact. A migration is an
SQL script, or a function of the connection for what SQL alone cannot compute.
"""

from collections.abc import Callable


def _links_spelled_one_way(db) -> None:
    """Every canonical link made again: a path or query is spelled one way now
    (identity._one_spelling: "/新闻" and "/%e6%96%b0…" are "/%E6%96%B0…"). Of articles
    whose links turn out to be one, the one whose key was spelled so already keeps it, else
    the first; the others, copies archived before, keep their source and guid but no link
    key (the unique index allows any number of none)."""
    from newsvault.store.identity import canonical_url

    rows = db.execute("SELECT id, url, url_key FROM articles WHERE url_key IS NOT NULL"
                      " ORDER BY id").fetchall()
    changed = {}
    for article_id, url, key in rows:
        new_key = canonical_url(url) if url else key
        if new_key != key:
            changed[article_id] = new_key
    in_use = {key for article_id, _, key in rows if article_id not in changed}
    given: list[tuple[str, int]] = []
    for article_id, key in changed.items():
        if key not in in_use:
            in_use.add(key)
            given.append((key, article_id))
    db.executemany("UPDATE articles SET url_key = NULL WHERE id = ?",
                   [(article_id,) for article_id in changed])
    db.executemany("UPDATE articles SET url_key = ? WHERE id = ?", given)


MIGRATIONS: list[str | Callable] = [
    # 1: sources, articles, revisions, fetch runs, export state
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,                 -- as configured
        current_url TEXT,                  -- after a permanent redirect of `url`
        tags TEXT NOT NULL DEFAULT '[]',   -- JSON list
        configured INTEGER NOT NULL DEFAULT 1,  -- 0: known only from imported posts
        etag TEXT,
        last_modified TEXT,
        retry_after_ms INTEGER,
        dead INTEGER NOT NULL DEFAULT 0,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL
    );

    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        guid TEXT,                  -- identity within the source
        url TEXT,                   -- the link as the feed gave it
        url_key TEXT,               -- canonical link: identity across sources
        title TEXT NOT NULL,
        author TEXT,
        published_raw TEXT,         -- exactly as the feed said
        published_ms INTEGER,
        first_seen_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL, -- when the current version was first seen
        content_html TEXT NOT NULL,
        summary TEXT,
        content_hash TEXT NOT NULL, -- of title and content: tells versions apart
        tags TEXT NOT NULL DEFAULT '[]',
        revisions INTEGER NOT NULL DEFAULT 1,  -- distinct versions seen, this one included
        change_seq INTEGER NOT NULL,           -- bumped on every change: incremental exports
        post_name TEXT UNIQUE,      -- Jekyll file name, fixed once given
        post_layout TEXT            -- JSON: how an imported post is written back
    );
    CREATE UNIQUE INDEX articles_source_guid ON articles(source_id, guid);
    CREATE UNIQUE INDEX articles_url_key ON articles(url_key);
    CREATE INDEX articles_change_seq ON articles(change_seq);

    -- earlier versions of an article (the current one lives in `articles`)
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        seen_ms INTEGER NOT NULL,
        title TEXT NOT NULL,
        content_html TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        published_raw TEXT,
        published_ms INTEGER
    );
    CREATE INDEX revisions_article ON revisions(article_id);

    -- other sources whose feeds carried an already archived article
    CREATE TABLE also_in (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        source_id INTEGER NOT NULL REFERENCES sources(id),
        first_seen_ms INTEGER NOT NULL,
        PRIMARY KEY (article_id, source_id)
    ) WITHOUT ROWID;

    CREATE TABLE fetch_runs (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER NOT NULL,
        status TEXT NOT NULL,       -- ok | not_modified | error | skipped
        http_status INTEGER,
        bytes INTEGER NOT NULL DEFAULT 0,
        items INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE INDEX fetch_runs_source ON fetch_runs(source_id, id);

    CREATE TABLE exports (
        target TEXT PRIMARY KEY,    -- e.g. "jekyll:/abs/path/_posts"
        last_seq INTEGER NOT NULL
    );

    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters VALUES ('change_seq', 0);
    """,
    # 2: full-text search (search/), brought up to date from articles.change_seq
    """
    -- rowid = articles.id; the values are tokens made by search/tokens.py. Contentless:
    -- search_docs keeps the text, and taking an article out means tokenizing it again.
    CREATE VIRTUAL TABLE search_index USING fts5(
        title, body, source,
        content = '',
        tokenize = 'unicode61 remove_diacritics 2'
    );

    CREATE TABLE search_docs (
        article_id INTEGER PRIMARY KEY,    -- articles.id, = search_index.rowid
        title TEXT NOT NULL,               -- as indexed
        body BLOB NOT NULL,                -- plain text, zlib-compressed UTF-8
        source TEXT NOT NULL
    );

    CREATE TABLE search_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_seq INTEGER NOT NULL,      -- every article with change_seq <= this is indexed
        tokenizer TEXT NOT NULL            -- what made the tokens; another one rebuilds
    );
    INSERT INTO search_state VALUES (1, 0, '');
    """,
    # 3: the site (site/) lists every article without its content; past content_html every
    # column lies in overflow pages, so this covering index is what keeps that a quick scan
    """
    CREATE INDEX articles_site_listing ON articles(
        id, source_id, published_ms, first_seen_ms, updated_ms, revisions, content_hash,
        post_name, title, author, url, post_layout);
    """,
    # 4: clean HTML (content/): the content an article displays, made safe by the sanitizer.
    # Kept apart from articles (whose content_html stays as fetched, for provenance): a
    # column there would make SQLite rewrite the whole row, raw content and all, to store it.
    """
    CREATE TABLE clean_html (
        article_id INTEGER PRIMARY KEY,    -- articles.id
        change_seq INTEGER NOT NULL,       -- the article's change_seq it was made from:
        html TEXT NOT NULL                 -- another one means it is out of date
    );

    CREATE TABLE clean_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cleaned_seq INTEGER NOT NULL,      -- every article with change_seq <= this is cleaned
        sanitizer TEXT NOT NULL            -- what cleaned them; another one cleans again
    );
    INSERT INTO clean_state VALUES (1, 0, '');
    """,
    # 5: full text (pipeline/fulltext.py): the article's page, kept as fetched, and the
    # content extracted from it, shown in place of the feed's (see sqlite.py DISPLAYED_HTML)
    """
    ALTER TABLE articles ADD COLUMN fulltext_html TEXT;  -- extracted from the page; NULL: none
    ALTER TABLE articles ADD COLUMN fulltext_hash TEXT;  -- of fulltext_html: the site's digests

    -- the last fetch of each article's page (only the latest page is kept)
    CREATE TABLE article_pages (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        url TEXT NOT NULL,          -- asked for: the item's link
        final_url TEXT,             -- after redirects; relative links resolve against it
        fetched_ms INTEGER NOT NULL,
        item_hash TEXT NOT NULL,    -- articles.content_hash then: the page is of that version
        http_status INTEGER,
        content_type TEXT,
        etag TEXT,                  -- validators, for a conditional GET next time
        last_modified TEXT,
        raw_html BLOB,              -- the page as fetched, zlib-compressed
        error TEXT                  -- why the last attempt failed; NULL after a success
    );

    -- articles whose page is to be fetched: new or changed items of sources with full text
    CREATE TABLE page_queue (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        attempts INTEGER NOT NULL DEFAULT 0  -- failed attempts so far (network errors retry)
    );

    DROP INDEX articles_site_listing;
    CREATE INDEX articles_site_listing ON articles(
        id, source_id, published_ms, first_seen_ms, updated_ms, revisions, content_hash,
        post_name, title, author, url, post_layout, fulltext_hash);
    """,
    # 6: images of articles, downloaded once per URL and stored by SHA-256 (pipeline/media.py)
    """
    CREATE TABLE media (
        url TEXT PRIMARY KEY,              -- absolute http(s), as the article HTML named it
        status TEXT NOT NULL DEFAULT 'pending',  -- pending | ok | failed
        sha256 TEXT,
        path TEXT,                         -- relative to the archive: assets/media/ab/<sha256>.png
        bytes INTEGER,
        content_type TEXT,                 -- as the server sent it
        error TEXT,                        -- the last failure's reason
        attempts INTEGER NOT NULL DEFAULT 0,  -- failed downloads; a permanent failure sets the cap
        fetched_ms INTEGER                 -- of the last attempt
    ) WITHOUT ROWID;
    CREATE INDEX media_not_ok ON media(status) WHERE status != 'ok';

    -- which article shows which image (from its current content)
    CREATE TABLE article_media (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        url TEXT NOT NULL,
        PRIMARY KEY (article_id, url)
    ) WITHOUT ROWID;
    CREATE INDEX article_media_url ON article_media(url);

    CREATE TABLE media_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        scanned_seq INTEGER NOT NULL       -- articles with change_seq <= this are in article_media
    );
    INSERT INTO media_state VALUES (1, 0);
    """,
    # 7: what each export last wrote of each source (its name and tags, which its posts
    # carry): a source renamed or retagged has its posts written again
    """
    CREATE TABLE export_sources (
        target TEXT NOT NULL,              -- exports.target
        source_id INTEGER NOT NULL REFERENCES sources(id),
        digest TEXT NOT NULL,              -- of the source's name and tags
        PRIMARY KEY (target, source_id)
    ) WITHOUT ROWID;
    """,
    # 8: the archive's identity, made once with the database: what the site's build state
    # (kept outside the database, keyed by article id and change_seq) was made from. A
    # database rebuilt from the exported posts numbers its articles anew and gets another.
    """
    CREATE TABLE archive_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        archive_id TEXT NOT NULL           -- 32 random hex digits
    );
    INSERT INTO archive_identity VALUES (1, lower(hex(randomblob(16))));
    """,
    # 9: the picture an item gives beside its content (an image enclosure, media:content or
    # thumbnail, JSON Feed's image), shown first where the content shows no image
    """
    ALTER TABLE articles ADD COLUMN image_url TEXT;
    DROP INDEX articles_site_listing;
    CREATE INDEX articles_site_listing ON articles(
        id, source_id, published_ms, first_seen_ms, updated_ms, revisions, content_hash,
        post_name, title, author, url, post_layout, fulltext_hash, image_url);
    """,
    # 10: canonical links with one spelling of a path's characters (see the function)
    _links_spelled_one_way,
    # 11: the files an item carries (a podcast's audio, a video): their addresses, shown
    # after the content; the files are not downloaded
    """
    ALTER TABLE articles ADD COLUMN attachments TEXT;  -- JSON [{url, type, length}]; NULL: none
    DROP INDEX articles_site_listing;
    CREATE INDEX articles_site_listing ON articles(
        id, source_id, published_ms, first_seen_ms, updated_ms, revisions, content_hash,
        post_name, title, author, url, post_layout, fulltext_hash, image_url, attachments);
    """,
]
