"""The store of record. ``open_store`` is the one way in; every SQL statement lives in
``store/sqlite.py``, so another backend needs only another module with the same methods."""

from pathlib import Path

from newsvault.store.records import (
    ArchivedArticle,
    ArchivedVersion,
    ExportRow,
    FetchRecord,
    FetchResult,
    IngestCounts,
    SourceStatus,
)
from newsvault.store.sqlite import SqliteStore, StoreError

__all__ = [
    "ArchivedArticle", "ArchivedVersion", "ExportRow", "FetchRecord", "FetchResult", "IngestCounts",
    "SourceStatus", "SqliteStore", "StoreError", "open_store",
]


def open_store(path: Path, bulk_writes: bool = False) -> SqliteStore:
    """``bulk_writes``: for the one writer of a fetch run (checkpoints less often)."""
    return SqliteStore(path, bulk_writes=bulk_writes)
