"""The site's static search index (issue 3) on the shared corpus (5,685 posts) and its 4×
replica (22,740 posts), the archives of bench/site_bench.py.

    python -m bench.static_search_bench              # both sizes
    python -m bench.static_search_bench --sizes 4    # 22,740 posts only

For each size:
- the index built whole into an empty folder (the search stage's FTS index is brought up
  to date first, as `build` does; the archives here are already indexed): wall time, peak
  RSS of the process tree (sampled every 50 ms), files and bytes;
- the index brought up to date after one new article (a delta segment);
- what a browser downloads for one query: the 100 queries of bench/search_bench.py, each in
  a fresh Chromium context (no cache) on the built site served by a plain static server;
  bytes of the index files (search-index/) and of everything the page loaded.
Targets at 22,740 posts: built in ≤ 60 s within 500 MB; ≤ 1 MB downloaded per query.
"""

import argparse
import json
import marshal
import statistics
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from bench.search_bench import QUERIES
from bench.site_bench import (NEWSVAULT, TRASH, WORK, add_one_post, archive_of, corpus_posts,
                              empty_trash, measured, output_size, set_aside)

CHROMIUM = "/usr/bin/chromium"
STATE = ".bench-search-state"


def index_once(archive: str, out: str, incremental: bool) -> None:
    """In a process of its own (what `measured` samples): the index alone, no pages."""
    from newsvault.site.builder import _Writer
    from newsvault.site.catalog import load_catalog
    from newsvault.site.search_index import update_search_index
    from newsvault.store import open_store

    store = open_store(Path(archive) / "newsvault.db")
    folder = Path(out)
    (folder / "search-index").mkdir(parents=True, exist_ok=True)
    state_file = folder / STATE
    state = marshal.loads(state_file.read_bytes()) if incremental else None
    started = time.perf_counter()
    catalog, _, _ = load_catalog(store, "Asia/Shanghai")
    state, written = update_search_index(store, catalog.articles, folder, _Writer(str(folder)),
                                         state, "bench")
    state_file.write_bytes(marshal.dumps(state))
    print(json.dumps({"seconds": time.perf_counter() - started, "written": written}))


def bench_index(archive: Path, copies: int) -> list[str]:
    out = WORK / f"static-index-{copies}x"
    set_aside(out)  # not deleted now: see set_aside in bench/site_bench.py
    command = [sys.executable, "-m", "bench.static_search_bench", "--index-once", str(archive),
               str(out)]
    full_wall, full_peak = measured(command)
    full = json.loads(measured.stdout)
    files, megabytes = output_size(out / "search-index")
    add_one_post(archive)
    new_wall, new_peak = measured([*command, "--incremental"])
    new = json.loads(measured.stdout)
    manifest = json.loads((out / "search-index/index.json").read_text())
    return [
        f"{copies}x ({manifest['docs']:,} articles) full index: {full_wall:.1f} s command, "
        f"{full['seconds']:.1f} s index, peak {full_peak:.0f} MB, {files:,} files, "
        f"{megabytes:.1f} MB",
        f"{copies}x one new article: {new_wall:.2f} s command, {new['seconds']:.2f} s index, "
        f"peak {new_peak:.0f} MB, {new['written']} files written, "
        f"segments {[s['docs'] for s in manifest['segments']]}",
    ]


# -- bytes per query -----------------------------------------------------------------------


def built_site(archive: Path, copies: int) -> Path:
    site = WORK / f"static-site-{copies}x"
    seconds, peak = measured([*NEWSVAULT, "--archive", str(archive), "build", "--out", str(site)])
    print(f"  (site build for the queries: {seconds:.1f} s, peak {peak:.0f} MB)")
    return site


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class StaticHost:
    """A plain static web server on 127.0.0.1, like GitHub Pages."""

    def __init__(self, folder: Path):
        handler = partial(QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def bench_queries(site: Path, copies: int) -> list[str]:
    from playwright.sync_api import sync_playwright

    host = StaticHost(site)
    index_bytes, all_bytes, hits = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for query in QUERIES:
                found, loaded, total = one_query(browser, host.url, query)
                hits.append(found)
                index_bytes.append(loaded)
                all_bytes.append(total)
            browser.close()
    finally:
        host.close()
    worst = QUERIES[index_bytes.index(max(index_bytes))]
    return [f"{copies}x bytes per query, 100 queries, index files: median "
            f"{statistics.median(index_bytes) / 1e3:.0f} KB, p95 "
            f"{percentile(index_bytes, 95) / 1e3:.0f} KB, max {max(index_bytes) / 1e3:.0f} KB "
            f"({worst}); everything the page loaded: median "
            f"{statistics.median(all_bytes) / 1e3:.0f} KB, max {max(all_bytes) / 1e3:.0f} KB; "
            f"queries with hits: {sum(1 for n in hits if n)}/100 (none: "
            f"{[query for query, n in zip(QUERIES, hits) if not n]})"]


def one_query(browser, url: str, query: str) -> tuple[int, int, int]:
    """(hits listed, bytes of index files, bytes of every response) for one cold query."""
    context = browser.new_context(bypass_csp=True)  # for wait_for_function only
    page = context.new_page()
    sizes: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: sizes.append(
        (request.url, request.sizes()["responseBodySize"])))
    page.goto(f"{url}search/index.html?q={quote(query)}")
    page.wait_for_function("() => { const s = document.getElementById('search-status')"
                           ".textContent; return s && !s.endsWith('…'); }")
    page.wait_for_load_state("networkidle")
    found = page.locator("#search-results li").count()
    context.close()
    index = sum(size for address, size in sizes if "/search-index/" in address)
    return found, index, sum(size for _, size in sizes)


def percentile(values: list[int], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--no-queries", action="store_true")
    parser.add_argument("--index-once", nargs=2, metavar=("ARCHIVE", "OUT"))
    parser.add_argument("--incremental", action="store_true")
    args = parser.parse_args()
    if args.index_once:
        index_once(*args.index_once, args.incremental)
        return
    if TRASH.exists():  # left by an interrupted run: deleted, and the disk given time
        empty_trash(settle=15)
    for copies in args.sizes:
        archive = archive_of(corpus_posts(copies), copies)
        for line in bench_index(archive, copies):
            print(line, flush=True)
        if not args.no_queries:
            for line in bench_queries(built_site(archive, copies), copies):
                print(line, flush=True)
    empty_trash()


if __name__ == "__main__":
    main()
