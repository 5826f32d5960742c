"""Search benchmark (issue 3) on the shared corpus plus the seed post.

    python -m bench.search_bench                # index build, one-article update, queries
    python -m bench.search_bench --workers 1    # build without worker processes

- index build: ``update_index`` over the freshly imported archive (the import itself is
  timed apart): wall time, this process's CPU and its workers', peak RSS; the index's size
  per table (dbstat) next to the articles table's;
- one new article: import one post, then ``update_index``;
- queries: 100 mixed Chinese/English queries (QUERIES), each run once to warm up, then
  ``--repeat`` times: the FTS query alone (``store.search``: MATCH, bm25, the join) and
  ``search_articles`` as the CLI and the API call it (index check, snippets, JSON ready).
  Target: FTS p95 ≤ 50 ms.

Asserts only correctness (every acceptance query finds something), never a time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also runnable as `python bench/search_bench.py`
    sys.path.insert(0, str(REPO))

from bench.corpus import require_corpus  # noqa: E402
from newsvault.export.jekyll_import import import_jekyll  # noqa: E402
from newsvault.search import search_articles, update_index  # noqa: E402
from newsvault.search.query import WEIGHTS  # noqa: E402
from newsvault.search.tokens import match_expression, parse_query  # noqa: E402
from newsvault.store import open_store  # noqa: E402

SEED = REPO.parent / "shared/reference/seed-post-zaobao-2022-01-27.md"
MB = 1_000_000
TARGET_P95_MS = 50

ACCEPTANCE = ["冬奥", "布林肯", '"Ned Price"', "臺灣", "VPN"]
QUERIES = ACCEPTANCE + [
    # Chinese words and names, common and rare
    "香港", "新疆", "疫情", "选举", "民主", "自由", "审查", "翻墙", "抗议", "中国", "美国", "俄罗斯",
    "乌克兰", "习近平", "拜登", "特朗普", "经济", "贸易战", "人权", "维吾尔", "西藏", "网络", "防火墙",
    "记者", "新闻自由", "言论", "警察", "法院", "监控", "人工智能", "互联网", "微信", "微博", "抖音",
    "华为", "芯片", "制裁", "外交部", "国务院", "共产党", "一带一路", "疫苗", "封城", "上海", "北京",
    "武汉", "病毒", "口罩", "难民", "移民", "大学", "学生", "教育", "气候变化", "能源", "石油", "台湾",
    "北京冬奥会", "國務院",
    # English words and phrases
    "Google", "Facebook", "Twitter", "Apple", "Tor", "privacy", "encryption", "China", "Taiwan",
    "Hong Kong", '"Hong Kong"', "democracy", "censorship", "surveillance", "police", "election",
    "Trump", "Biden", "internet", "freedom", '"human rights"', "Signal",
    # mixed
    '"北京冬奥"', "冬奥 布林肯", "VPN 翻墙", "台湾 选举", "iPhone 手机", "COVID 疫情", '"新冠病毒"',
    "中国 AI", "美国 制裁 华为", '"言论自由"', "Telegram 群组", "5G 网络", "新疆 人权", "2022年",
]
assert len(QUERIES) == 100, len(QUERIES)

NEW_POST = """---
layout: post
title: "基准测试：一篇新文章谈冬奥与VPN"
date: 2022-02-01T08:00:00.000Z
author: 基准
from: https://example.org/bench/new
tags: [ 基准 ]
categories: [ 基准 ]
---
<!--1643702400000-->
[基准测试：一篇新文章谈冬奥与VPN](https://example.org/bench/new)
------

<div>
<p>这是一篇为基准测试而写的文章，谈到冬奥、布林肯和 VPN。</p>
</div>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes for the build (default: one per core)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as temp:
        root = Path(temp)
        posts = extract_corpus(root / "corpus")
        store = open_store(root / "newsvault.db")
        print(f"import: {timed(lambda: import_posts(store, posts, root)):.1f} s "
              f"(not part of the index figures)")
        build(store, options.workers)
        show_sizes(store)
        one_new_article(store, root)
        queries(store, options.repeat)
        store.close()


def extract_corpus(target: Path) -> Path:
    with tarfile.open(require_corpus(), "r:xz") as archive:
        archive.extractall(target, filter="data")
    return next(path.parent for path in target.rglob("*.md"))


def import_posts(store, posts: Path, root: Path) -> None:
    import_jekyll(store, posts)
    if SEED.is_file():
        seed_dir = root / "seed"
        seed_dir.mkdir()
        shutil.copy(SEED, seed_dir / "2022-01-27-seed.md")
        import_jekyll(store, seed_dir)


def build(store, workers: int | None) -> None:
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    cpu_before = time.process_time()
    started = time.perf_counter()
    report = update_index(store, workers=workers)
    wall = time.perf_counter() - started
    own_cpu = time.process_time() - cpu_before
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children_before
    print(f"index build: {report.indexed} articles in {wall:.2f} s wall "
          f"({report.indexed / wall:.0f} articles/s); CPU {own_cpu:.1f} s here + "
          f"{workers_cpu:.1f} s in workers; peak RSS {peak_rss_mb():.0f} MB here, "
          f"{peak_rss_mb(children=True):.0f} MB the largest worker")


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def show_sizes(store) -> None:
    db = sqlite3.connect(store.path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    db.close()
    fts = sum(size for name, size in sizes.items() if name.startswith("search_index"))
    docs = sizes.get("search_docs", 0)
    print(f"index size: FTS5 {fts / MB:.1f} MB + stored text {docs / MB:.1f} MB = "
          f"{(fts + docs) / MB:.1f} MB (articles table: {sizes.get('articles', 0) / MB:.1f} MB)")


def one_new_article(store, root: Path) -> None:
    folder = root / "new"
    folder.mkdir()
    (folder / "2022-02-01-new.md").write_text(NEW_POST, encoding="utf-8")
    import_jekyll(store, folder)
    started = time.perf_counter()
    report = update_index(store)
    print(f"one new article: indexed {report.indexed} in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    seconds = timed(lambda: update_index(store))
    print(f"nothing changed: update_index in {seconds * 1000:.1f} ms")


def queries(store, repeat: int) -> None:
    for query in ACCEPTANCE:
        assert search_articles(store, query), f"{query!r} found nothing"
    fts, full, slowest = [], [], []
    for query in QUERIES:
        match = match_expression(parse_query(query))
        store.search(match, WEIGHTS, 20)  # warm-up
        runs = [timed(lambda: store.search(match, WEIGHTS, 20)) for _ in range(repeat)]
        fts += runs
        full += [timed(lambda: search_articles(store, query)) for _ in range(repeat)]
        slowest.append((statistics.median(runs), query))
    print(f"queries: {len(QUERIES)} × {repeat} runs, limit 20")
    for name, samples in (("FTS query", fts), ("search_articles", full)):
        ms = [sample * 1000 for sample in samples]
        p50, p95 = percentile(ms, 50), percentile(ms, 95)
        line = f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(ms):.1f} ms"
        if name == "FTS query":
            line += f" (target ≤ {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'missed'})"
        print(line)
    slow = ", ".join(f"{query} {seconds * 1000:.0f} ms"
                     for seconds, query in sorted(slowest, reverse=True)[:5])
    print(f"  slowest FTS queries (median): {slow}")


def percentile(samples: list[float], percent: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
