"""The shared corpus of real posts (Jekyll files of the old system), read straight from
``../shared/corpus/oped2-posts.tar.xz`` beside the repository. Nothing is cached or copied
into the repository: every run decompresses the archive in memory.
"""

from __future__ import annotations

import json
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parents[2] / "shared/corpus/oped2-posts.tar.xz"


@dataclass(slots=True)
class CorpusPost:
    name: str  # file name inside the archive
    title: str
    url: str | None  # the `from:` URL
    date: str | None  # as written: 2020-05-18, 2020-03-25T12:55:10+00:00, ...Z
    author: str | None
    body: str  # the HTML after the front matter
    tags: list[str] = field(default_factory=list)


def corpus_path() -> Path:
    return CORPUS_PATH


def require_corpus() -> Path:
    if not CORPUS_PATH.is_file():
        raise SystemExit(
            f"bench: the shared corpus is missing: {CORPUS_PATH} not found.\n"
            "The benchmarks build their feeds from it; it lives in ../shared/corpus/ beside "
            "the repository (as in CI). Nothing to measure without it."
        )
    return CORPUS_PATH


def load_posts(limit: int | None = None) -> list[CorpusPost]:
    """The corpus posts, in file-name order (deterministic); ``limit``: only the first N."""
    path = require_corpus()
    posts: list[CorpusPost] = []
    with tarfile.open(path, "r:xz") as archive:
        for member in archive:
            if not member.isfile() or not member.name.endswith((".md", ".markdown", ".html")):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            text = handle.read().decode("utf-8", errors="replace")
            post = parse_post(Path(member.name).name, text)
            if post is not None:
                posts.append(post)
    posts.sort(key=lambda post: post.name)
    return posts[:limit] if limit is not None else posts


def parse_post(name: str, text: str) -> CorpusPost | None:
    """Just enough of a Jekyll post: the front matter's title/from/date/author/tags, the body."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    if end < 0:
        return None
    front = text[3:end]
    body_start = text.find("\n", end + 4)
    body = text[body_start + 1:] if body_start >= 0 else ""
    fields: dict[str, str] = {}
    for line in front.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith((" ", "\t", "#")):
            fields.setdefault(key.strip(), value.strip())
    return CorpusPost(
        name=name,
        title=_yaml_scalar(fields.get("title", "")),
        url=_yaml_scalar(fields.get("from", "")) or None,
        date=_yaml_scalar(fields.get("date", "")) or None,
        author=_yaml_scalar(fields.get("author", "")) or None,
        body=body,
        tags=_yaml_list(fields.get("tags", "")),
    )


def _yaml_scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)  # YAML double-quoted escapes are JSON's, for these files
        except ValueError:
            return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _yaml_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        return [_yaml_scalar(part) for part in value[1:-1].split(",") if part.strip()]
    return [value] if value else []


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    loaded = load_posts(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    size = sum(len(post.body.encode("utf-8")) for post in loaded)
    print(f"{len(loaded)} posts, {size / 1e6:.1f} MB of body HTML, "
          f"read in {time.perf_counter() - started:.1f} s")
    for post in loaded[:3]:
        print(repr(post.title), post.url, post.date, post.author, post.tags, len(post.body))
