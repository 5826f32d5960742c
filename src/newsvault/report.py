"""What the commands show: a progress bar on a terminal, plain log lines otherwise,
and the per-source table at the end."""

import sys
from datetime import datetime, timezone

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsvault.model import FetchOutcome

STATUS_WORDS = {"ok": "ok", "not_modified": "not modified", "error": "error", "skipped": "skipped"}


class FetchProgress:
    """Context manager; ``advance(outcome)`` after each source."""

    def __init__(self, total: int, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.total = total
        self.done = 0
        self._progress = None

    def __enter__(self):
        if self.console.is_terminal:
            self._progress = Progress(
                TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=self.console, transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total)
        return self

    def advance(self, outcome: FetchOutcome) -> None:
        self.done += 1
        if self._progress:
            self._progress.update(self._task, advance=1, description=outcome.source)
        else:
            detail = outcome.error or f"{outcome.new} new, {outcome.updated} updated"
            print(f"[{self.done}/{self.total}] {outcome.source}: "
                  f"{STATUS_WORDS[outcome.status]} ({detail})", file=sys.stderr, flush=True)

    def __exit__(self, *exc):
        if self._progress:
            self._progress.stop()


def outcome_table(outcomes: list[FetchOutcome]) -> Table:
    table = Table(title="fetch results", title_justify="left")
    for column in ("source", "result", "new", "updated", "unchanged", "reason"):
        table.add_column(column, justify="right" if column in ("new", "updated", "unchanged") else "left")
    for outcome in outcomes:
        table.add_row(
            outcome.source, STATUS_WORDS[outcome.status], str(outcome.new),
            str(outcome.updated), str(outcome.unchanged), outcome.error or "",
        )
    return table


def outcome_summary(outcomes: list[FetchOutcome]) -> str:
    count = {status: 0 for status in STATUS_WORDS}
    for outcome in outcomes:
        count[outcome.status] += 1
    new = sum(outcome.new for outcome in outcomes)
    updated = sum(outcome.updated for outcome in outcomes)
    return (f"{len(outcomes)} sources: {count['ok']} ok, {count['not_modified']} not modified, "
            f"{count['error']} failed, {count['skipped']} skipped; "
            f"{new} new articles, {updated} updated")


def when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "never"
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
