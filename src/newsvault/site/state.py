"""What the last build of an output folder left there for the next one: each page's digest,
the catalog the pages came from (see catalog.py) and the search index's state.

Kept in the folder as marshal files (fast both ways, and no code runs when one is read):
one per 1,024 article ids with those articles' catalog entries and page digests, and a
last one with everything else. A build writes back only the files whose part changed: one
new article rewrites its own file and the last one, not the state of 20,000 others.
The state names the database it was built from (its archive id): ids and change_seq mean
nothing in another one, such as one rebuilt from the exported posts (see builder.py).
The last file is written last: a build killed halfway leaves a state that is older in
places, never one that claims more than was done (the catalog's watermark is in it).
"""

import marshal
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsvault.files import write_atomic

STATE_DIR = ".newsvault-build"
STATE_FILE = f"{STATE_DIR}/state"  # the last file written: its time is the last build's
FORMAT = (2, sys.version_info[:2])  # marshal's format is Python's
_IDS_PER_FILE = 1024


def bucket_file(bucket: int) -> str:
    return f"{STATE_DIR}/a{bucket}"


def _bucket(article_id: int) -> int:
    return article_id // _IDS_PER_FILE


@dataclass
class BuildState:
    pages: dict[str, str] = field(default_factory=dict)  # page path → digest
    catalog: dict | None = None  # the catalog's cache: key, seq, articles (id → fields)
    search: dict | None = None
    page_buckets: dict[str, int] = field(default_factory=dict)  # article page → its file
    archive: str | None = None  # the identity of the database built from (store.archive_id)

    @classmethod
    def load(cls, out: Path) -> "BuildState":
        """The folder's state; empty if there is none, or it is damaged or of another format
        (the next build then makes every page)."""
        try:
            return cls._read(out)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    @classmethod
    def _read(cls, out: Path) -> "BuildState":
        main = marshal.loads((out / STATE_FILE).read_bytes())
        if not isinstance(main, dict) or main.get("format") != FORMAT:
            return cls()
        pages, articles, page_buckets = dict(main["pages"]), {}, {}
        for bucket in main["buckets"]:
            bucket_pages, bucket_articles = marshal.loads((out / bucket_file(bucket)).read_bytes())
            pages.update(bucket_pages)
            articles.update(bucket_articles)
            page_buckets.update(dict.fromkeys(bucket_pages, bucket))
        catalog = main["catalog"]
        if catalog is not None:
            catalog = {**catalog, "articles": articles}
        return cls(pages, catalog, main["search"], page_buckets, main.get("archive"))

    def save(self, out: Path, pages: Iterable[tuple[str, str, int | None]], catalog: dict,
             changed_articles: Iterable[int] | None, search: dict,
             archive: str | None = None) -> None:
        """``pages``: (path, digest, article id for an article page, else None);
        ``changed_articles``: the ids whose catalog entries may differ from the loaded ones
        (None: any, as after an article left the archive); ``archive``: the identity of
        the database the pages were built from."""
        folder = out / STATE_DIR
        if folder.is_file():  # the single file of format 1
            folder.unlink()
        folder.mkdir(exist_ok=True)
        parts: dict[int, tuple[dict, dict]] = {}  # bucket → (page digests, catalog entries)
        others, dirty, gone = {}, set(), dict(self.page_buckets)
        for path, digest, article_id in pages:
            if article_id is None:
                others[path] = digest
                continue
            bucket = _bucket(article_id)
            parts.setdefault(bucket, ({}, {}))[0][path] = digest
            if gone.pop(path, None) != bucket or self.pages.get(path) != digest:
                dirty.add(bucket)
        dirty.update(gone.values())  # the files that listed a page no longer made
        for article_id, fields in catalog["articles"].items():
            parts.setdefault(_bucket(article_id), ({}, {}))[1][article_id] = fields
        if changed_articles is None or self.catalog is None or archive != self.archive:
            dirty.update(parts)
        else:
            dirty.update(map(_bucket, changed_articles))
        for bucket in sorted(dirty & parts.keys()):
            write_atomic(out / bucket_file(bucket), marshal.dumps(parts[bucket]))
        main = {"format": FORMAT, "buckets": sorted(parts), "pages": others,
                "catalog": {key: value for key, value in catalog.items() if key != "articles"},
                "search": search, "archive": archive}
        write_atomic(out / STATE_FILE, marshal.dumps(main))
        _remove_unused(folder, set(parts))


def _remove_unused(folder: Path, buckets: set[int]) -> None:
    wanted = {os.path.basename(bucket_file(bucket)) for bucket in buckets} | {"state"}
    for entry in os.scandir(folder):
        if entry.name not in wanted:  # a bucket emptied, or a temporary file of a killed build
            os.unlink(entry.path)
