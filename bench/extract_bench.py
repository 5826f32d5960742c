"""Full-text benchmark: extraction speed and quality, and a fetch run of summary-only feeds.

    python -m bench.extract_bench                  # all three parts
    python -m bench.extract_bench --items 200 --feeds 10 --runs 1

1. Extraction pages/s on one core (CPU time of this process): every fixture page of
   tests/content/fixtures as it is (5-9 KB), and each padded to ~150 KB with what real
   news pages carry around an article (inline scripts, a long menu, related-link lists,
   comments), since extraction time grows with the page.
2. Precision and recall per fixture page: tokens (a CJK character, or a run of letters and
   digits) of the expected article body (pages.json) against the extracted text, as
   multisets; with the extractor alone and with the source's rules of pages.json.
3. The time of ``newsvault fetch`` on a fresh archive, the loopback FeedServer (in its own
   process) serving ``--feeds`` summary-only feeds of ``--items`` items in all, each linking
   to a fixture page: full_text "never" (the floor: feeds only), "auto" (every page fetched
   and extracted), and "auto" again (nothing new: no page fetched).

It reports times, never asserts them; it asserts only that the pages were fetched once.
"""

import os
import argparse
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]

from support.cli import NO_SITE, ArchiveDir, cli_env  # noqa: E402
from support.pages import fixture_pages, text_of  # noqa: E402

from newsvault.content.extract import ExtractRules, extract_article  # noqa: E402

URL = "https://news.example.org/2022/01/27/story.html"
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")  # a CJK character, or a word


# -- 1. speed ---------------------------------------------------------------------------

def padded(page: bytes, size: int = 150_000) -> bytes:
    """The page with boilerplate of the kind real pages have, up to about ``size`` bytes."""
    script = b"<script>" + b"window.__STATE__=" + b'{"k":"' + b"x" * 4000 + b'"};' + b"</script>"
    menu = b"<nav><ul>" + b"".join(b'<li><a href="/section/%d">Section %d</a></li>' % (i, i)
                                   for i in range(150)) + b"</ul></nav>"
    related = b'<aside class="related"><ul>' + b"".join(
        b'<li><a href="/story/%d">Another story headline number %d</a></li>' % (i, i)
        for i in range(80)) + b"</ul></aside>"
    comments = b'<section id="comments">' + b"".join(
        b'<div class="comment"><p>Reader comment %d: I do not agree with this at all.</p></div>'
        % i for i in range(60)) + b"</section>"
    head, body = page.split(b"<body", 1)
    filler = b""
    while len(page) + len(filler) < size:
        filler += script + menu + related + comments
    close = body.rindex(b"</body>")
    return head + b"<body" + body[:close] + filler + body[close:]


def pages_per_second(pages: list[bytes], seconds: float = 3.0) -> tuple[float, float]:
    """(pages/s, MB/s) of extract_article on one core, CPU time."""
    done, size = 0, 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for page in pages:
            extract_article(page, URL)
            done, size = done + 1, size + len(page)
    spent = time.process_time() - start
    return done / spent, size / spent / 1e6


def summary_check() -> None:
    """The cost full_text = "auto" adds to every feed item (in the archive writers)."""
    from newsvault.content.summary import looks_like_summary

    long_zh = "<p>" + "青州湖畔的小城南屿从本月起试行<a href='/x'>夜间公交</a>服务。" * 250 + "</p>"
    long_en = "<p>" + "The council voted to turn the <a href='/x'>old rail yard</a> into a park. " * 200 + "</p>"
    items = [("long Chinese item, 14 KB", long_zh), ("long English item, 15 KB", long_en),
             ("summary, 60 characters", "<p>" + "青州湖畔的小城南屿从本月起试行夜间公交服务。" * 3 + "</p>")]
    print("0. looks_like_summary per feed item (auto only; never: not called)")
    for label, html in items:
        rounds = 2000
        start = time.process_time()
        for _ in range(rounds):
            looks_like_summary(html)
        print(f"   {label:28} {(time.process_time() - start) / rounds * 1e6:7.1f} us")


def speed() -> None:
    pages = [page.html for page in fixture_pages()]
    for page in pages:  # warm up: trafilatura compiles its XPaths on first use
        extract_article(page, URL)
    big = [padded(page) for page in pages]
    print("1. extraction, one core (CPU time)")
    for label, batch in (("fixture pages as they are", pages), ("padded to ~150 KB", big)):
        rate, mb = pages_per_second(batch)
        average = sum(map(len, batch)) / len(batch) / 1000
        print(f"   {label:28} {average:6.1f} KB/page  {rate:7.1f} pages/s  {mb:5.2f} MB/s")


# -- 2. quality -------------------------------------------------------------------------

def tokens(text: str) -> Counter:
    return Counter(token.lower() for token in _TOKEN.findall(text))


def precision_recall(expected: str, extracted: str) -> tuple[float, float]:
    want, got = tokens(expected), tokens(extracted)
    common = sum((want & got).values())
    return common / max(sum(got.values()), 1), common / max(sum(want.values()), 1)


def quality() -> None:
    print("2. precision / recall of the body's tokens")
    print(f"   {'page':14} {'extractor alone':>18} {'with the rules':>18}  rules")
    for page in fixture_pages():
        expected = "\n".join(page.body)
        scores = []
        for rules in (ExtractRules(), ExtractRules(None, page.remove_selectors)):
            extracted = text_of(extract_article(page.html, URL, rules, title=page.title))
            scores.append("%.3f / %.3f" % precision_recall(expected, extracted))
        print(f"   {page.name:14} {scores[0]:>18} {scores[1]:>18}  "
              f"{', '.join(page.remove_selectors) or '-'}")


# -- 3. a fetch run -----------------------------------------------------------------------

def _serve(items: int, feeds: int, ready, stop, port_out, pad: bool = False) -> None:
    from support.server import FeedServer

    pages = fixture_pages()
    bodies = {page.name: padded(page.html) if pad else page.html for page in pages}
    with FeedServer() as server:
        per_feed = items // feeds
        for feed in range(feeds):
            entries = []
            for number in range(per_feed):
                page = pages[(feed * per_feed + number) % len(pages)]
                path = f"/f{feed}/{number}.html"
                server.route(path, body=bodies[page.name],
                             headers={"Content-Type": "text/html; charset=utf-8"})
                entries.append(f"<item><guid>{feed}-{number}</guid><title>{page.title} {number}"
                               f"</title><link>{server.url(path)}</link><description>"
                               f"<![CDATA[{page.summary}]]></description></item>")
            server.route(f"/f{feed}.xml", headers={"Content-Type": "application/rss+xml"},
                         body=('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                               f"<title>f{feed}</title>{''.join(entries)}</channel></rss>").encode())
        port_out.value = server.port
        ready.set()
        stop.wait()
        # the count of page requests goes back through the exit code's cousin: a file
        Path(tempfile.gettempdir(), f"extract-bench-{server.port}.count").write_text(
            str(server.count("/f*")))


def fetch_run(items: int, feeds: int, modes: list[str], pad: bool) -> None:
    size = "~150 KB" if pad else "5-9 KB"
    print(f"3. `newsvault fetch`, {feeds} summary-only feeds, {items} items linking to "
          f"{size} pages, fresh archive")
    context = multiprocessing.get_context("spawn")
    for mode in modes:
        ready, stop, port = context.Event(), context.Event(), context.Value("i", 0)
        server = context.Process(target=_serve, args=(items, feeds, ready, stop, port, pad))
        server.start()
        ready.wait()
        with tempfile.TemporaryDirectory() as folder:
            archive = ArchiveDir.create(Path(folder) / "news", build=NO_SITE)
            for feed in range(feeds):
                archive.add_source(f"f{feed}", f"http://127.0.0.1:{port.value}/f{feed}.xml",
                                   full_text=mode)
            for run in ("cold", "again"):
                started = time.perf_counter()
                result = subprocess.run([sys.executable, "-m", "newsvault", "--archive",
                                         str(archive.root), "fetch"], env=_env(),
                                        capture_output=True, text=True)
                seconds = time.perf_counter() - started
                summary = [line for line in result.stdout.splitlines() if " sources: " in line]
                print(f"   full_text={mode:6} {run:5}  {seconds:6.2f} s  {summary[0] if summary else result.stderr[-300:]}")
        stop.set()
        server.join()
        count_file = Path(tempfile.gettempdir(), f"extract-bench-{port.value}.count")
        requests = int(count_file.read_text())
        count_file.unlink()
        expected = feeds * 2 + (items if mode != "never" else 0)
        print(f"   full_text={mode:6} requests to the server: {requests} (feeds twice, pages once: {expected})")
        assert requests == expected, (requests, expected)


def _env() -> dict:
    env = cli_env()
    env["PYTHONPATH"] = str(REPO / "src")
    return env


def main() -> None:
    os.environ.setdefault("NEWSVAULT_ALLOW_PRIVATE", "1")  # its pages are on loopback
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--padded", action="store_true",
                        help="serve the pages padded to ~150 KB in the fetch run")
    parser.add_argument("--skip-fetch", action="store_true")
    args = parser.parse_args()
    summary_check()
    speed()
    quality()
    if not args.skip_fetch:
        fetch_run(args.items, args.feeds, ["never", "auto"], args.padded)


if __name__ == "__main__":
    main()
