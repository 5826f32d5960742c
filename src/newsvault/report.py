"""What the commands show: a progress bar on a terminal, plain log lines otherwise,
and the per-source table at the end."""

import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from newsvault.model import FetchOutcome

STATUS_WORDS = {"ok": "ok", "not_modified": "not modified", "error": "error", "skipped": "skipped"}
PLAIN_LINES_FROM = 1000  # items; a smaller step says only what it did, at its end


def progress_bar():
    """A started rich progress display on stderr if it is a terminal, else None (rich is
    imported only then: a command run by cron or a script does not pay for it). A bar per
    task: its description, the bar, done/total, time, and the task's ``detail`` field."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[detail]}")]
    progress = Progress(*columns, console=Console(stderr=True), transient=True)
    progress.start()
    return progress


class StepProgress:
    """What a long command shows while it works, step by step (cleaning the articles,
    building the pages): on a terminal a bar per step, otherwise a plain line per tenth
    of a step of at least PLAIN_LINES_FROM items. Context manager; ``step(label, unit)``
    gives the step's ``(done, total)`` callback."""

    def __init__(self):
        self._progress = None

    def __enter__(self):
        self._progress = progress_bar()
        return self

    def step(self, label: str, unit: str) -> Callable[[int, int], None]:
        task, next_line = None, 0

        def update(done: int, total: int) -> None:
            nonlocal task, next_line
            if self._progress:
                if task is None:
                    task = self._progress.add_task(label, total=total, detail="")
                self._progress.update(task, completed=done, total=total)
            elif total >= PLAIN_LINES_FROM and (done >= next_line or done == total):
                print(f"{label}: {done}/{total} {unit}", file=sys.stderr, flush=True)
                next_line = done + total // 10

        return update

    def __exit__(self, *exc):
        if self._progress:
            self._progress.stop()


class FetchProgress(StepProgress):
    """``advance(outcome)`` after each source: on a terminal a bar that names the last
    one, otherwise a line per source. The steps after the fetch as in StepProgress."""

    def __init__(self, total: int):
        super().__init__()
        self.total = total
        self.done = 0
        self._task = None

    def __enter__(self):
        super().__enter__()
        if self._progress:
            self._task = self._progress.add_task("fetching", total=self.total, detail="")
        return self

    def advance(self, outcome: FetchOutcome) -> None:
        self.done += 1
        if self._progress:
            self._progress.update(self._task, advance=1, detail=outcome.source)
        else:
            detail = outcome.error or f"{outcome.new} new, {outcome.updated} updated"
            print(f"[{self.done}/{self.total}] {outcome.source}: "
                  f"{STATUS_WORDS[outcome.status]} ({detail})", file=sys.stderr, flush=True)


def outcome_table(outcomes: list[FetchOutcome]) -> str:
    """The per-source results as aligned plain text (a rich Table takes a second to lay out
    500 rows; this takes milliseconds)."""
    header = ("source", "result", "new", "updated", "unchanged", "reason")
    rows = [
        (outcome.source, STATUS_WORDS[outcome.status], str(outcome.new), str(outcome.updated),
         str(outcome.unchanged), outcome_reason(outcome))
        for outcome in outcomes
    ]
    return text_table(header, rows, right_aligned={2, 3, 4})


def outcome_reason(outcome: FetchOutcome) -> str:
    """The fetch's error, else what went wrong with the pages of its articles."""
    if outcome.error:
        return outcome.error
    if outcome.pages_failed:
        pages = "1 page" if outcome.pages_failed == 1 else f"{outcome.pages_failed} pages"
        return f"full text: {pages} failed, the feed's content kept ({outcome.page_error})"
    return ""


def text_table(header: tuple[str, ...], rows: list[tuple[str, ...]],
               right_aligned: set[int] = frozenset()) -> str:
    """Columns padded to their widest cell, counting wide (CJK) characters as two."""
    from rich.cells import cell_len  # widths of CJK characters and emoji

    widths = [max(cell_len(row[column]) for row in (header, *rows))
              for column in range(len(header))]

    def line(cells) -> str:
        padded = []
        for column, (cell, width) in enumerate(zip(cells, widths)):
            gap = " " * (width - cell_len(cell))
            padded.append(gap + cell if column in right_aligned else cell + gap)
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def outcome_summary(outcomes: list[FetchOutcome]) -> str:
    count = {status: 0 for status in STATUS_WORDS}
    for outcome in outcomes:
        count[outcome.status] += 1
    new = sum(outcome.new for outcome in outcomes)
    updated = sum(outcome.updated for outcome in outcomes)
    pages = sum(outcome.pages for outcome in outcomes)
    pages_failed = sum(outcome.pages_failed for outcome in outcomes)
    full_text = (f"; full text from {counted(pages, 'page')}, {pages_failed} failed"
                 if pages or pages_failed else "")
    return (f"{counted(len(outcomes), 'source')}: {count['ok']} ok, "
            f"{count['not_modified']} not modified, {count['error']} failed, "
            f"{count['skipped']} skipped; {counted(new, 'new article')}, {updated} updated"
            f"{full_text}")


def counted(number: int, noun: str) -> str:
    """``1 source``, ``2 sources``, ``3 fetches``: the nouns newsvault counts are regular."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun}{'es' if noun.endswith(('s', 'x', 'ch', 'sh')) else 's'}"


def in_local_time(seconds: float) -> str:
    """``at 2026-11-28 01:17:00 +0800 (in 59m 58s)``: this machine's clock, ``seconds`` on."""
    at = datetime.now().astimezone() + timedelta(seconds=seconds)
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    wait = (f"{hours}h {minute:02d}m" if hours else f"{minute}m {second:02d}s" if minute
            else f"{second}s")
    return f"at {at:%Y-%m-%d %H:%M:%S %z} (in {wait})"


def when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "never"
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
