"""The site's static search index: what site/static/search.js reads to answer a query in
the browser with no server, so search works on GitHub Pages and any static host as well
as under ``newsvault serve``.

Under ``search-index/``:
- ``index.json``, the manifest, read first: the segments, the folding table's file, the
  weights of the posting classes;
- ``fold-<digest>.txt``: Traditional → Simplified pairs (search/bigrams.py ``fold_pairs``);
- ``<segment>/s<n>.bin``: posting shards; a token's postings are in shard
  ``shard_of(token)``. A shard is LEB128 varints: T, the number of tokens; per token,
  ascending, its id's difference from the previous one's, its posting count and its
  postings' length in bytes; then the postings, token after token, each
  ``ordinal delta << 2 | class`` (the first delta counts from 0);
- ``<segment>/m<n>.json``: [page, title, source, date, lead] of META_CHUNK articles, by
  ordinal; the lead is the start of the text, for a hit's excerpt (the article pages are
  too big to fetch for that: a query downloads no more than about 1 MB).

Tokens come from the FTS index's plain text (search_docs), so nothing re-reads HTML.

Incremental: the base segment holds the articles as they were when the index was last
built whole; a delta segment holds every article added or changed since, rebuilt whole
on every build (it stays small), and names the base ordinals it supersedes. When the
delta outgrows DELTA_SHARE of the base, the base is rebuilt.
"""

import json
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import Protocol

import numpy as np

from newsvault.search.bigrams import FORMAT, batch_tokens, fold_pairs, shard_of
from newsvault.search.indexer import update_index
from newsvault.site.catalog import SiteArticle
from newsvault.store import SqliteStore
from newsvault.workers import Runner, store_workers

INDEX_FOLDER = "search-index/"
MANIFEST = INDEX_FOLDER + "index.json"
META_CHUNK = 4  # articles per metadata file: a hit costs one small file
LEAD_CHARS = 300  # of an article's text, kept for the excerpt of a hit
SHARD_BYTES = 32 * 1024  # aimed at: a query downloads one shard per token and segment
BYTES_PER_POSTING = 1.6  # measured on the corpus, token table included
CLASS_WEIGHTS = (1.0, 1.6, 2.2, 4.0)  # once, 2-3 times, 4+ times, in the title
DELTA_SHARE = 0.1
MIN_DELTA_LIMIT = 500
TOKENIZE_CHUNK = 256
SPILL_GROUPS = 64  # ≤ 256; a large segment is encoded a 64th at a time: bounded memory
_SPILL_THRESHOLD = 2000  # articles; smaller segments are encoded in memory at once
_POOL_THRESHOLD = 1000
STATE_FORMAT = (FORMAT, 1)


class FileWriter(Protocol):
    def write(self, path: str, data: bytes) -> bool: ...


@dataclass(slots=True)
class Segment:
    id: str
    docs: int
    shards: int
    deleted: list[int]  # ordinals of the base segment this one supersedes

    def manifest(self) -> dict:
        return {"id": self.id, "docs": self.docs, "shards": self.shards,
                "deleted": self.deleted}


def update_search_index(store: SqliteStore, articles: list[SiteArticle], out: Path,
                        writer: FileWriter, state: dict | None, fingerprint: str,
                        workers: int | None = None) -> tuple[dict, int]:
    """Bring ``search-index/`` in ``out`` up to date; returns (the state to keep for the
    next build, files written). ``state``: the last build's, None to build it whole."""
    update_index(store, workers)
    indexed_seq = store.search_state()[0]
    if not state or state.get("format") != STATE_FORMAT or state.get("fingerprint") != fingerprint:
        state = None
    plan = _delta_plan(store, articles, state) if state else None
    written = 0
    if plan is None:
        base_segment, count = _write_segment(store, articles, [], out, writer, workers)
        state = {"format": STATE_FORMAT, "fingerprint": fingerprint, "seq": indexed_seq,
                 "base": base_segment.manifest(), "base_ids": [a.id for a in articles]}
        segments, written = [base_segment], count
    else:
        delta, deleted = plan
        segments = [Segment(**state["base"])]
        if delta or deleted:
            delta_segment, written = _write_segment(store, delta, deleted, out, writer, workers)
            segments.append(delta_segment)
    written += _write_manifest(writer, segments, len(articles))
    _remove_unused(out, segments)
    return state, written


def _delta_plan(store: SqliteStore, articles: list[SiteArticle], state: dict
                ) -> tuple[list[SiteArticle], list[int]] | None:
    """The articles of the delta segment and the base ordinals they supersede; None when
    the base is better rebuilt."""
    base = {article_id: ordinal for ordinal, article_id in enumerate(state["base_ids"])}
    changed = {article_id for article_id, _ in store.search_pending(state["seq"])}
    delta = [a for a in articles if a.id in changed or a.id not in base]
    if len(delta) > max(MIN_DELTA_LIMIT, DELTA_SHARE * len(base)):
        return None
    live = {a.id for a in articles}
    deleted = sorted(ordinal for article_id, ordinal in base.items()
                     if article_id in changed or article_id not in live)
    return delta, deleted


# -- a segment ------------------------------------------------------------------------------


def _write_segment(store: SqliteStore, docs: list[SiteArticle], deleted: list[int], out: Path,
                   writer: FileWriter, workers: int | None) -> tuple[Segment, int]:
    segment_id = _segment_id(docs, deleted)
    folder = f"{INDEX_FOLDER}{segment_id}/"
    groups = SPILL_GROUPS if len(docs) >= _SPILL_THRESHOLD else 1
    workers = workers or min(os.cpu_count() or 1, 4)
    with tempfile.TemporaryDirectory(prefix=".search-spill-", dir=out) as spill, \
            store_workers(store, workers if len(docs) >= _POOL_THRESHOLD else 1, writer) as run:
        target = _Target(spill, groups, folder)
        postings, written = _tokenize_all(docs, target, run)
        shards = _shard_count(postings, groups)
        chunks = -(-len(docs) // TOKENIZE_CHUNK)
        written += sum(run(_encode_group, [(target, group, shards, chunks)
                                           for group in range(groups)]))
    return Segment(segment_id, len(docs), shards, deleted), written


def _segment_id(docs: list[SiteArticle], deleted: list[int]) -> str:
    """Named after what it holds: the same articles give the same files (and a browser's
    cached copy of an old segment is never mistaken for a new one)."""
    hasher = blake2b(repr((STATE_FORMAT, deleted)).encode(), digest_size=6)
    for doc in docs:
        hasher.update(repr((doc.id, doc.content_hash, doc.title, doc.path, doc.source,
                            doc.date_text)).encode())
    return hasher.hexdigest()


def _shard_count(postings: int, groups: int) -> int:
    wanted = max(1, int(postings * BYTES_PER_POSTING / SHARD_BYTES))
    return max(groups, 1 << (wanted - 1).bit_length())


# -- tokenizing (in worker processes for large segments) -------------------------------------


@dataclass(slots=True)
class _Target:
    spill: str  # folder of the spill files
    groups: int  # spill files per chunk
    folder: str  # of the segment, in the site


@dataclass(slots=True)
class _Chunk:
    docs: list[tuple[int, str, str, str, str]]  # id, page, title, source, date
    first_ordinal: int
    number: int


def _tokenize_all(docs: list[SiteArticle], target: _Target, run: Runner) -> tuple[int, int]:
    """Writes the segment's metadata files, and every posting, as a sortable uint64 key,
    into ``target.groups`` spill files per chunk of articles; returns (postings, files
    written)."""
    rows = [(doc.id, doc.path, doc.title, doc.source, doc.date_text) for doc in docs]
    chunks = [(_Chunk(rows[start:start + TOKENIZE_CHUNK], start, number), target)
              for number, start in enumerate(range(0, len(rows), TOKENIZE_CHUNK))]
    counts = list(run(_tokenize_chunk, chunks))
    return sum(postings for postings, _ in counts), sum(written for _, written in counts)


def _tokenize_chunk(store: SqliteStore, writer: FileWriter, chunk: _Chunk, target: _Target
                    ) -> tuple[int, int]:
    texts = store.search_texts([row[0] for row in chunk.docs])
    pairs, metas = [], []
    for article_id, *meta in chunk.docs:
        title, body_z = texts.get(article_id, (meta[1], b""))
        body = zlib.decompress(body_z).decode() if body_z else ""
        pairs.append((title, body))
        metas.append([*meta, body[:LEAD_CHARS]])
    docs, tokens, classes = batch_tokens(pairs)
    chunk_keys = ((tokens.astype(np.uint64) << np.uint64(32))
                  | ((docs + chunk.first_ordinal).astype(np.uint64) << np.uint64(2))
                  | classes.astype(np.uint64))
    group_of = shard_of(tokens, target.groups).astype(np.uint8)  # a radix sort
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(target.groups + 1))
    for group in range(target.groups):
        np.save(os.path.join(target.spill, f"g{group}-c{chunk.number}.npy"),
                chunk_keys[order[bounds[group]:bounds[group + 1]]])
    return int(chunk_keys.size), _write_metas(writer, target.folder, chunk.first_ordinal, metas)


def _write_metas(writer: FileWriter, folder: str, first_ordinal: int, metas: list[list]) -> int:
    """META_CHUNK articles per file; chunks of tokenizing are whole numbers of them."""
    written = 0
    for start in range(0, len(metas), META_CHUNK):
        number = (first_ordinal + start) // META_CHUNK
        data = json.dumps(metas[start:start + META_CHUNK], ensure_ascii=False,
                          separators=(",", ":")).encode()
        written += writer.write(f"{folder}m{number}.json", data)
    return written


def _encode_group(store: SqliteStore, writer: FileWriter, target: _Target, group: int,
                  shards: int, chunks: int) -> int:
    keys = _load_group(target.spill, group, chunks)
    return sum(writer.write(f"{target.folder}s{number}.bin", data)
               for number, data in _encode_shards(keys, shards))


def _load_group(spill: str, group: int, chunks: int) -> np.ndarray:
    parts = [np.load(os.path.join(spill, f"g{group}-c{number}.npy")) for number in range(chunks)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


# -- encoding shards ------------------------------------------------------------------------


def _encode_shards(keys: np.ndarray, shards: int) -> list[tuple[int, bytes]]:
    """(shard number, file bytes) of the shards the postings in ``keys`` fall in."""
    if keys.size == 0:
        return []
    keys.sort()
    tokens = (keys >> np.uint64(32)).astype(np.uint32)
    ordinals = ((keys >> np.uint64(2)) & np.uint64(0x3FFFFFFF)).astype(np.uint32)
    first = np.ones(keys.size, dtype=bool)
    first[1:] = tokens[1:] != tokens[:-1]
    previous = np.zeros(keys.size, dtype=np.uint32)
    previous[1:] = ordinals[:-1]
    previous[first] = 0
    values = ((ordinals - previous) << np.uint32(2)) | (keys & np.uint64(3)).astype(np.uint32)
    data, lengths = _varints(values)
    starts = np.flatnonzero(first)
    token_ids = tokens[starts]
    counts = np.diff(np.append(starts, keys.size)).astype(np.uint32)
    byte_lengths = np.add.reduceat(lengths.astype(np.int64), starts)
    byte_starts = np.cumsum(byte_lengths) - byte_lengths
    shard = shard_of(token_ids, shards)
    order = np.argsort(shard, kind="stable")  # tokens stay ascending within a shard
    bounds = np.searchsorted(shard[order], np.arange(shards + 1))
    encoded = []
    for number in np.flatnonzero(bounds[1:] > bounds[:-1]):
        picked = order[bounds[number]:bounds[number + 1]]
        encoded.append((int(number), _shard_bytes(token_ids[picked], counts[picked],
                                                  byte_starts[picked], byte_lengths[picked],
                                                  data)))
    return encoded


def _shard_bytes(token_ids, counts, byte_starts, byte_lengths, data) -> bytes:
    """The token table (varints: T, then per token its id's delta from the previous
    one, its posting count, its postings' byte length), then the postings."""
    ends = np.cumsum(byte_lengths)
    total = int(ends[-1])
    gather = np.repeat(byte_starts - (ends - byte_lengths), byte_lengths) + np.arange(total)
    id_deltas = np.diff(token_ids, prepend=np.uint32(0))
    table = np.stack((id_deltas, counts, byte_lengths.astype(np.uint32)), axis=1).ravel()
    head, _ = _varints(np.concatenate(([token_ids.size], table)).astype(np.uint32))
    return head.tobytes() + data[gather].tobytes()


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 of each value (uint32): all the bytes, and each value's length."""
    lengths = np.ones(values.size, dtype=np.uint8)
    for bits in (7, 14, 21, 28):
        lengths += values >= (1 << bits)
    starts = np.cumsum(lengths, dtype=np.int64) - lengths
    data = np.empty(int(lengths.sum()), dtype=np.uint8)
    for byte in range(5):
        has = lengths > byte
        if not has.any():
            break
        more = (lengths[has] > byte + 1).astype(np.uint8) << 7
        data[starts[has] + byte] = ((values[has] >> (7 * byte)) & 0x7F).astype(np.uint8) | more
    return data, lengths


# -- the manifest ---------------------------------------------------------------------------


def _fold_file() -> tuple[str, bytes]:
    pairs = fold_pairs().encode()
    return f"fold-{blake2b(pairs, digest_size=6).hexdigest()}.txt", pairs


def _write_manifest(writer: FileWriter, segments: list[Segment], docs: int) -> int:
    fold_name, fold_data = _fold_file()
    manifest = {"format": FORMAT, "docs": docs, "fold": fold_name, "weights": CLASS_WEIGHTS,
                "meta_chunk": META_CHUNK, "segments": [s.manifest() for s in segments]}
    written = writer.write(INDEX_FOLDER + fold_name, fold_data)
    # written last: a reader never sees a manifest whose segments are not all there
    return written + writer.write(MANIFEST, json.dumps(manifest, separators=(",", ":")).encode())


def _remove_unused(out: Path, segments: list[Segment]) -> None:
    """Segments and files of earlier builds, and the spill of a killed one."""
    keep = {s.id for s in segments} | {Path(MANIFEST).name, _fold_file()[0]}
    folder = out / INDEX_FOLDER
    for entry in folder.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for stale in out.glob(".search-spill-*"):
        shutil.rmtree(stale, ignore_errors=True)
