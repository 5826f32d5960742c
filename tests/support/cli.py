"""The ``newsvault`` command as a user runs it: a real process on a real archive folder.

    newsvault("init", "news", "--empty", cwd=tmp_path, check=0)     # one command

    news = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH)    # an archive to drive
    news.add_source("好", server.url("/good.xml"))
    result = news.cli("run", "--strict", check=1, now="2022-01-27T09:36:52.404Z")
    rows = result_rows(result.stdout)   # the per-source table: {name: Row}
    news.articles()                     # what the archive holds, read from newsvault.db

Every process gets a wide ``COLUMNS`` so that the rich table never wraps a row: a
source's result and reason are on the row's one line.
"""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from newsvault.config import SourceSettings, new_config_text, source_block

SEED_NOW = "2022-01-27T09:36:52.404Z"  # the seed post's date: when it was first seen
WIDE_COLUMNS = "400"

# Small limits so that failures are quick; every value is a real newsvault.toml key.
FAST_FETCH = {
    "connect_timeout": 1, "read_timeout": 1, "total_timeout": 2, "retries": 2,
    "backoff": 0.05, "max_body_mb": 5, "max_redirects": 5,
}

# [build] of an archive whose `run` writes Jekyll posts only (the site build costs time)
NO_SITE = {"enabled": False}


def newsvault(*args, cwd, env=None, check=None, timeout=120):
    """Run ``python -m newsvault ARGS`` in ``cwd``; with ``check``, assert the exit code."""
    result = subprocess.run([sys.executable, "-m", "newsvault", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert result.returncode == check, _shown(result)
    return result


def cli_env(now: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a command: this one, a wide table, and the clock fixed at ``now``."""
    env = {key: value for key, value in os.environ.items() if key != "NEWSVAULT_NOW"}
    env["COLUMNS"] = WIDE_COLUMNS
    if now is not None:
        env["NEWSVAULT_NOW"] = now
    env.update(extra)
    return env


def _shown(result: subprocess.CompletedProcess) -> str:
    return (f"exit {result.returncode}\n--- stdout\n{result.stdout}\n"
            f"--- stderr\n{result.stderr}")


@dataclass
class Row:
    """One source's row in the table ``fetch``/``run`` print."""

    source: str
    result: str
    new: int
    updated: int
    unchanged: int
    reason: str


_TABLE_HEADER = re.compile(r"^[│┃]?\s*source\s+[│┃]?\s*result\s+[│┃]?\s*new\s+[│┃]?\s*updated"
                           r"\s+[│┃]?\s*unchanged\s+[│┃]?\s*reason\s*[│┃]?$")
_RULE_CHARACTERS = set("-─━┏┓┡┩└┘┗┛╇┳┴ ")
_PLAIN_ROW = re.compile(r"^(?P<source>.+?)\s{2,}(?P<result>ok|not modified|error|skipped)"
                        r"\s+(?P<new>\d+)\s+(?P<updated>\d+)\s+(?P<unchanged>\d+)"
                        r"(?:\s{2}(?P<reason>.*))?$")


def result_rows(stdout: str) -> dict[str, Row]:
    """The rows of the per-source result table ``fetch`` and ``run`` print, by source name.

    Reads both layouts the table has had: a box-drawn one (cells between "│") and plain
    text (columns padded with spaces). Each source is one line: a reason never wraps.
    """
    lines = stdout.splitlines()
    headers = [number for number, line in enumerate(lines) if _TABLE_HEADER.match(line)]
    assert len(headers) == 1, f"no result table (or more than one) in:\n{stdout}"
    rows = {}
    for line in lines[headers[0] + 1:]:
        if set(line) <= _RULE_CHARACTERS:
            continue  # a rule (or an empty line)
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            assert len(cells) == 6, f"a row on more than one line (wrapped?): {line!r}"
            source, result, new, updated, unchanged, reason = cells
            assert source, f"a row on more than one line (wrapped?): {line!r}"
        else:
            match = _PLAIN_ROW.match(line)
            if match is None:
                break  # the table has ended
            source, result, new, updated, unchanged = match.group(
                "source", "result", "new", "updated", "unchanged")
            reason = (match["reason"] or "").strip()
        rows[source] = Row(source, result, int(new), int(updated), int(unchanged), reason)
    return rows


def summary_line(stdout: str) -> str:
    """The ``N sources: … ok, … failed …`` line under the table (``1 source: …``)."""
    found = [line for line in stdout.splitlines() if re.match(r"\d+ sources?: ", line)]
    assert len(found) == 1, stdout
    return found[0]


class ArchiveDir:
    """An archive folder driven through the command line."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def create(cls, root: Path, fetch: dict | None = None,
               sources: list[SourceSettings] = (), **tables: dict) -> "ArchiveDir":
        """Write ``root/newsvault.toml`` as ``newsvault init --empty`` does (without the
        cost of a process), with the ``fetch`` values and those of other ``tables`` set
        (``build={"enabled": False}``; ``export_jekyll`` for ``[export.jekyll]``), and
        ``sources`` added."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        text = new_config_text("newsvault", "Asia/Shanghai", list(sources))
        for table, values in {"fetch": fetch or {}, **tables}.items():
            text = _set_keys(text, table.replace("_", "."), values)
        (root / "newsvault.toml").write_text(text, encoding="utf-8")
        return cls(root)

    @property
    def config(self) -> Path:
        return self.root / "newsvault.toml"

    @property
    def db_path(self) -> Path:
        return self.root / "newsvault.db"

    def add_source(self, name: str, url: str, tags: list[str] = (), **settings) -> None:
        """Append a [[sources]] block, as ``newsvault add --no-check`` does; ``settings``:
        more of the block's keys (``full_text="never"``, ``content_selector=...``)."""
        with self.config.open("a", encoding="utf-8") as stream:
            stream.write(source_block(SourceSettings(name, url, list(tags), **settings)))

    def cli(self, *args, now: str | None = None, check=None, timeout=120, env=None):
        """``newsvault --archive ROOT ARGS`` run from the archive's parent folder."""
        return newsvault("--archive", str(self.root), *args, cwd=self.root.parent,
                         env=env or cli_env(now), check=check, timeout=timeout)

    def status(self, now: str | None = None) -> dict:
        return json.loads(self.cli("status", "--json", now=now, check=0).stdout)

    def source_status(self, name: str) -> dict:
        return {source["name"]: source for source in self.status()["sources"]}[name]

    def sources(self) -> list[dict]:
        """`sources --json`, without `moved_to` for the sources no redirect moved."""
        rows = json.loads(self.cli("sources", "--json", check=0).stdout)
        return [{key: value for key, value in row.items() if key != "moved_to" or value}
                for row in rows]

    # -- reading the database (read-only, never while a command runs on it) -----------

    def query(self, sql: str, *params) -> list[tuple]:
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def articles(self) -> list[dict]:
        """Every archived article with its source's name, ordered by source and guid."""
        columns = ("source", "guid", "url", "title", "author", "published_raw", "published_ms",
                   "first_seen_ms", "content_html", "content_hash", "revisions")
        rows = self.query(
            "SELECT s.name, a.guid, a.url, a.title, a.author, a.published_raw, a.published_ms,"
            " a.first_seen_ms, a.content_html, a.content_hash, a.revisions"
            " FROM articles a JOIN sources s ON s.id = a.source_id ORDER BY s.name, a.guid")
        return [dict(zip(columns, row)) for row in rows]


def _set_keys(text: str, table: str, values: dict) -> str:
    """Set ``key = value`` lines of ``[table]`` in a config written by new_config_text
    (the table is added at the end when the template has none)."""
    header = f"[{table}]\n"
    if values and header not in text:
        text = text.rstrip("\n") + f"\n\n{header}"
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        pattern = re.compile(rf"^#?\s*{re.escape(key)} = .*$", re.MULTILINE)
        start = text.index(header) + len(header)
        end = text.find("\n[", start)
        end = len(text) if end < 0 else end
        section, count = pattern.subn(line, text[start:end], count=1)
        if not count:
            section = line + "\n" + section
        text = text[:start] + section + text[end:]
    return text


# -- the file tree --------------------------------------------------------------------

def tree_snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (relative path -> digest of its bytes, or
    "dir"); symbolic links are listed by their target."""
    snapshot = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                snapshot[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                snapshot[key] = "dir"
            else:
                snapshot[key] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return snapshot


def changed_paths(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# -- memory of a child process ---------------------------------------------------------

def run_measuring_rss(args: list[str], cwd: Path, env: dict,
                      timeout: float = 120) -> tuple[subprocess.CompletedProcess, int]:
    """Run a command; return its result and its peak resident set size in bytes, as the
    kernel counted it (its high-water mark, not a sample: a short peak is not missed)."""
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    output: dict[str, str] = {}
    readers = [threading.Thread(target=lambda name=name, stream=stream:
                                output.__setitem__(name, stream.read()), daemon=True)
               for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    process.stdout.close()
    process.stderr.close()
    result = subprocess.CompletedProcess(args, process.returncode, output["stdout"],
                                         output["stderr"])
    return result, usage.ru_maxrss * 1024  # Linux counts it in KB
