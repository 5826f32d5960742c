"""How search/tokens.py was chosen: three ways to tokenize Chinese for FTS5, side by side on
the shared corpus (plus the seed post).

    python -m bench.search_tokenizers             # per-character (ours) and CJK bigrams
    python -m bench.search_tokenizers --jieba     # also jieba (pip install jieba; minutes)

- chars: every CJK character a token, words as phrases of characters (search/tokens.py);
- bigrams: every pair of neighbouring CJK characters a token (a run's last character
  alone too, so that one-character queries work), words as phrases of bigrams;
- jieba: ``jieba.cut_for_search`` (dictionary words plus their dictionary sub-words).

All three get the same folded plain text and the same FTS5 table (unicode61, contentless,
title/body/source). For each: tokenizing time, FTS5 insert time, index size, query
latency over bench.search_bench.QUERIES, and for the acceptance queries the recall against
the truth (the articles whose folded title or text contains the folded term) and how many
of the top five contain it.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
import time
from operator import add
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search_bench import ACCEPTANCE, QUERIES, extract_corpus, import_posts  # noqa: E402
from newsvault.search.fold import fold  # noqa: E402
from newsvault.search.text import collapse_spaces, plain_text  # noqa: E402
from newsvault.search.tokens import CJK, index_text, match_expression, parse_query  # noqa: E402
from newsvault.store import open_store  # noqa: E402

MB = 1_000_000
_CJK_SPLIT = re.compile(f"([{CJK}]+)")
_WORD = re.compile(r"[^\W_]+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jieba", action="store_true", help="also measure jieba (slow)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-tokenizers-") as temp:
        root = Path(temp)
        store = open_store(root / "newsvault.db")
        import_posts(store, extract_corpus(root / "corpus"), root)
        started = time.perf_counter()
        docs = folded_docs(store)
        print(f"{len(docs)} articles, {sum(len(body) for _, _, body, _ in docs) / 1e6:.1f} M "
              f"characters of plain text (extracted and folded in "
              f"{time.perf_counter() - started:.1f} s, the same for every tokenizer)")
        truth = {query: {rowid for rowid, title, body, _ in docs
                         if needle(query) in title.casefold() or needle(query) in body.casefold()}
                 for query in ACCEPTANCE}
        tokenizers = {"chars": (index_text, chars_query), "bigrams": (bigrams, bigram_query)}
        if options.jieba:
            tokenizers["jieba"] = jieba_tokenizer()
        for name, (tokenize, to_match) in tokenizers.items():
            measure(name, tokenize, to_match, docs, truth, root / f"{name}.db")
        store.close()


def folded_docs(store) -> list[tuple[int, str, str, str]]:
    ids = [article_id for article_id, _ in store.search_pending(0)]
    return [(source.article_id, fold(collapse_spaces(source.title)),
             fold(plain_text(source.content_html)), fold(source.source))
            for source in store.search_sources(ids)]


def needle(query: str) -> str:
    return fold(query.strip('"')).casefold()


def measure(name, tokenize, to_match, docs, truth, path: Path) -> None:
    started = time.process_time()
    rows = [(rowid, tokenize(title), tokenize(body), tokenize(source))
            for rowid, title, body, source in docs]
    tokenizing = time.process_time() - started
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(title, body, source, content='',"
               " tokenize='unicode61 remove_diacritics 2')")
    started = time.process_time()
    for at in range(0, len(rows), 250):
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO s (rowid, title, body, source) VALUES (?, ?, ?, ?)",
                       rows[at:at + 250])
        db.execute("COMMIT")
    inserting = time.process_time() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 's%'").fetchone()[0]
    latencies = query_latencies(db, [to_match(query) for query in QUERIES])
    print(f"\n{name}: tokenizing {tokenizing:.1f} s CPU, FTS5 insert {inserting:.1f} s CPU, "
          f"index {size / MB:.1f} MB; queries p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms")
    for query in ACCEPTANCE:
        found = [row[0] for row in db.execute(
            "SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s, 10.0, 1.0, 2.0)",
            (to_match(query),))]
        wanted = truth[query]
        print(f"  {query}: recall {len(wanted & set(found))}/{len(wanted)}, "
              f"{len(found)} found, top 5 containing it: "
              f"{len(set(found[:5]) & wanted)}/{min(5, len(found))}")
    db.close()


def query_latencies(db, matches: list[str], repeat: int = 3) -> list[float]:
    latencies = []
    for match in matches:
        sql = "SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s, 10.0, 1.0, 2.0) LIMIT 20"
        db.execute(sql, (match,)).fetchall()
        for _ in range(repeat):
            started = time.perf_counter()
            db.execute(sql, (match,)).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def percentile(samples: list[float], percent: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def chars_query(query: str) -> str:
    return match_expression(parse_query(query))


def bigrams(folded: str) -> str:
    pieces = _CJK_SPLIT.split(folded)
    pieces[1::2] = [" ".join(map(add, run, run[1:] + " ")) for run in pieces[1::2]]
    return " ".join(pieces)


def bigram_query(query: str) -> str:
    phrases = []
    for term in re.findall(r'"[^"]*"|\S+', query):
        for piece in _CJK_SPLIT.split(fold(term.strip('"'))):
            if _CJK_SPLIT.fullmatch(piece):
                grams = [a + b for a, b in zip(piece, piece[1:])] or [piece + "*"]
                phrases.append('"' + " ".join(grams) + '"' if len(piece) > 1 else grams[0])
            elif words := _WORD.findall(piece):
                phrases.append('"' + " ".join(words) + '"')
    return " AND ".join(phrases)


def jieba_tokenizer():
    try:
        import jieba
    except ImportError:
        raise SystemExit("--jieba: pip install jieba first (it is not a dependency)") from None
    jieba.setLogLevel(60)
    jieba.initialize()

    def tokenize(folded: str) -> str:
        return " ".join(jieba.cut_for_search(folded))

    def to_match(query: str) -> str:
        phrases = []
        for term in re.findall(r'"[^"]*"|\S+', query):
            words = [word for word in jieba.cut(fold(term.strip('"'))) if _WORD.search(word)]
            phrases.append('"' + " ".join(words) + '"')
        return " AND ".join(phrases)

    return tokenize, to_match


if __name__ == "__main__":
    main()
