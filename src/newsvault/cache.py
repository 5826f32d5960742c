"""newsvault's folder for what is costly to make and safe to lose (compiled templates, the
search's character table): $XDG_CACHE_HOME/newsvault, else ~/.cache/newsvault."""

import marshal
import os
from pathlib import Path

from newsvault.files import write_atomic


def cache_folder(name: str) -> Path | None:
    """The cache's subfolder ``name``, made if needed; None where it cannot be made."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsvault"
    try:
        (root / name).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root / name


def cached(name: str, make):
    """``make()``, kept as a marshal file named ``name`` in the cache: ``name`` must say
    everything the value depends on. Made again when the file is missing or unreadable."""
    folder = cache_folder("data")
    path = folder / name if folder else None
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    value = make()
    if path is not None:
        try:
            write_atomic(path, marshal.dumps(value))
        except OSError:
            pass  # a read-only cache: made each time, as without one
    return value
