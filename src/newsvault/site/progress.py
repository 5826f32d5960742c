"""What ``build`` shows while it works: a progress bar on a terminal, a few plain lines
otherwise (one per tenth of the pages, for builds long enough to need them)."""

import sys

from newsvault.report import progress_bar

PLAIN_LINES_FROM = 1000  # pages; a smaller build says only what it did, at its end


class BuildProgress:
    """Context manager; pass ``update`` as the builder's ``on_progress``."""

    def __init__(self):
        self._progress = None
        self._task = None
        self._next_line = 0

    def __enter__(self):
        self._progress = progress_bar("building")
        return self

    def update(self, done: int, total: int) -> None:
        if self._progress:
            if self._task is None:
                self._task = self._progress.add_task("", total=total)
            self._progress.update(self._task, completed=done, total=total)
        elif total >= PLAIN_LINES_FROM and (done >= self._next_line or done == total):
            print(f"building: {done}/{total} pages", file=sys.stderr, flush=True)
            self._next_line = done + total // 10

    def __exit__(self, *exc):
        if self._progress:
            self._progress.stop()
