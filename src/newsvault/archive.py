"""An archive folder: newsvault.toml, newsvault.db, the exports; and its run lock."""

import fcntl
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from newsvault.clock import now_ms
from newsvault.config import CONFIG_NAME, DATABASE_NAME, Settings, load_settings
from newsvault.errors import ArchiveLockedError
from newsvault.store import SqliteStore, open_store

LOCK_NAME = ".newsvault.lock"


@dataclass
class Archive:
    root: Path
    settings: Settings
    store: SqliteStore

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    @property
    def zone(self) -> ZoneInfo:
        """The site's time zone (``site.timezone``)."""
        return ZoneInfo(self.settings.timezone)

    def close(self) -> None:
        self.store.close()


def open_archive(root: Path) -> Archive:
    """Read the settings, open (or create) the database and bring its sources in line."""
    root = Path(root).resolve()
    settings = load_settings(root / CONFIG_NAME)
    settings.fetch.warc_dir = str((root / settings.fetch.warc_dir).resolve())
    store = open_store(root / DATABASE_NAME)
    store.sync_sources(settings.sources, now_ms())
    return Archive(root=root, settings=settings, store=store)


@contextmanager
def run_lock(root: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None):
    """One fetch/run per archive at a time. The OS drops the lock when the process dies,
    so a killed run never leaves a stale lock behind. ``on_wait`` hears who holds it
    (``pid 123``) before a ``wait`` begins."""
    path = Path(root) / LOCK_NAME
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if not wait:
                raise ArchiveLockedError(
                    f"archive {root} is busy: a fetch or run is already working on it "
                    f"({holder}); try again later or pass --wait") from None
            if on_wait:
                on_wait(holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
