"""Writing files so that a killed run never leaves half of one, nor litter for long.

A file is written under a temporary name and renamed into place. Writers of many files
(posts, site pages, images) keep their temporary files in one scratch folder per output,
``.newsvault-tmp``: what a killed run left there is found by listing that one folder (a
walk of a site's thousands of folders would cost more than a build with nothing to do)
and deleted by the next run, and the folder is removed when the work is done.
"""

import fcntl
import itertools
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCRATCH = ".newsvault-tmp"
_PREFIX, _SUFFIX = ".newsvault-", ".tmp"
_temporary_numbers = itertools.count()


def write_atomic(path: str | Path, data: bytes, scratch: str | None = None) -> None:
    """``data`` into ``path`` through a temporary file and a rename: a reader sees the old
    file or the new one, never a part. The temporary file is made in ``scratch`` (on the
    same file system) or else beside ``path``, with the umask's permissions (0644
    typically), and named so that neither Jekyll nor an import takes it for a post."""
    folder = scratch if scratch is not None else os.path.dirname(path)
    temporary = _temporary_name(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        handle = os.open(temporary, flags, 0o666)
    except FileNotFoundError:
        if scratch is None:
            raise
        os.makedirs(scratch, exist_ok=True)  # first use, or removed after the last run
        handle = os.open(temporary, flags, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def folder_locked(folder: str | Path) -> Iterator[None]:
    """An exclusive lock on the folder itself, for a read-change-write of a file in it by
    several processes at once (no lock file to leave behind). Not reentrant."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def temporary_path(scratch: str) -> str:
    """A name in the folder ``scratch`` (made if need be) that no other thread or process
    uses, for a file to be renamed into place."""
    os.makedirs(scratch, exist_ok=True)
    return _temporary_name(scratch)


def scratch_folder(root: str | Path) -> str:
    return os.path.join(root, SCRATCH)


@contextmanager
def scratch_space(*folders: str) -> Iterator[None]:
    """Delete what killed runs left in these scratch folders, then, once the block is done,
    the folders themselves (each only if empty: another process may still be writing)."""
    for folder in folders:
        remove_leftovers(folder)
    try:
        yield
    finally:
        for folder in folders:
            try:
                os.rmdir(folder)
            except OSError:  # not there, or not empty
                pass


def remove_leftovers(folder: str, names: Iterable[str] | None = None) -> int:
    """Delete the temporary files in ``folder`` (whose listing is ``names``, when known)
    whose process has ended; how many."""
    if names is None:
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return 0
    removed = 0
    for name in names:
        if _writer_has_ended(name):
            Path(folder, name).unlink(missing_ok=True)
            removed += 1
    return removed


def _temporary_name(folder: str) -> str:
    return os.path.join(folder, f"{_PREFIX}{os.getpid()}-{next(_temporary_numbers)}{_SUFFIX}")


def _writer_has_ended(name: str) -> bool:
    if not (name.startswith(_PREFIX) and name.endswith(_SUFFIX)):
        return False
    pid = name[len(_PREFIX):-len(_SUFFIX)].partition("-")[0]
    return pid.isdigit() and not process_running(int(pid))


def process_running(pid: int) -> bool:
    """Whether process ``pid`` may still run (this one does; elsewhere than on POSIX, it is
    taken to, so that nothing of a running process is ever removed)."""
    if pid == os.getpid() or os.name != "posix":  # Windows' os.kill(pid, 0) sends Ctrl-C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError), or no such check here
        return True
    return True
