"""Writing files so that a killed run never leaves half of one."""

import itertools
import os
from pathlib import Path

_temporary_numbers = itertools.count()


def write_atomic(path: str | Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file and a rename: a reader sees the old
    file or the new one, never a part. Made with the umask's permissions (0644 typically),
    named so that neither Jekyll nor an import takes it for a post if it is ever left over."""
    folder, _ = os.path.split(path)
    temporary = os.path.join(folder, f".newsvault-{os.getpid()}-{next(_temporary_numbers)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
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
