"""The site build (issue 3) on the shared corpus (5,685 posts) and a 4× replica of it
(22,740 posts), beside Hugo and Jekyll on equivalent minimal sites when they are installed.

    python -m bench.site_bench            # newsvault, Hugo; Jekyll on the 5,685 posts only
    python -m bench.site_bench --no-others --sizes 1
    python -m bench.site_bench --jekyll-4x   # also Jekyll on 22,740 posts (about 17 minutes)

For each size: a full build into an empty folder, a rebuild with nothing new, a rebuild
after one new article; wall time of the command, peak memory (RSS of the process and its
workers together, sampled every 50 ms), output files and bytes. Work folders live in
bench/out/site/ (ignored by git); the archives there are reused when present.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from bench.bytecode import compile_newsvault
from bench.corpus import require_corpus
from newsvault.store import open_store

WORK = Path(__file__).resolve().parent / "out" / "site"
NEWSVAULT = [sys.executable, "-m", "newsvault"]
REFERENCE = {  # issue 3, measured on a 2-core machine like this one
    "jekyll 5,685": "34 s warm (71 s cold), 24 s to add one post (--incremental), 0.8 GB",
    "hugo 5,685": "3.9 s full, 3.3 s to add one post, 1.3 GB",
    "hugo 22,740": "31–37 s full, 5.6–5.9 GB",
    "jekyll 22,740": "999 s cold, 2.1 GB",
}


@dataclass
class Run:
    tool: str
    posts: int
    step: str  # full | unchanged | one new (n)
    seconds: float
    peak_mb: float
    files: int = 0
    megabytes: float = 0.0
    own_seconds: float | None = None  # what newsvault says the build took (no start-up)


# -- inputs --------------------------------------------------------------------------------


def corpus_posts(copies: int) -> Path:
    """The corpus' _posts, and with ``copies`` > 1 that many copies of each post (title and
    link suffixed, so that each copy is an article of its own)."""
    folder = WORK / f"posts-{copies}x" / "_posts"
    if folder.is_dir():
        return folder
    folder.mkdir(parents=True)
    with tarfile.open(require_corpus(), "r:xz") as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".md"):
                text = archive.extractfile(member).read().decode("utf-8", "replace")
                name = Path(member.name).name
                (folder / name).write_text(text, encoding="utf-8")
                for copy in range(2, copies + 1):
                    (folder / f"{name[:-3]} ({copy}).md").write_text(
                        _copied(text, copy), encoding="utf-8")
    return folder


def _copied(text: str, copy: int) -> str:
    head, separator, body = text.partition("\n---")
    lines = []
    for line in head.split("\n"):
        if line.startswith("title:"):
            line = _suffixed(line, f" ({copy})")
        elif line.startswith("from:"):
            line = _suffixed(line, f"{'&' if '?' in line else '?'}copy={copy}")
        lines.append(line)
    return "\n".join(lines) + separator + body


def _suffixed(line: str, suffix: str) -> str:
    stripped = line.rstrip()
    if stripped[-1:] in "\"'" and stripped.count(stripped[-1]) >= 2:
        return stripped[:-1] + suffix + stripped[-1]
    return stripped + suffix


def archive_of(posts: Path, copies: int) -> Path:
    root = WORK / f"archive-{copies}x"
    if (root / "newsvault.db").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([*NEWSVAULT, "init", str(root), "--empty"], check=True, capture_output=True)
    subprocess.run([*NEWSVAULT, "--archive", str(root), "import", "jekyll", str(posts)],
                   check=True, capture_output=True)
    return root


def add_one_post(archive: Path) -> None:
    """Import one post newer than any other, new each time (its number is the count)."""
    number = article_count(archive) + 1
    folder = WORK / "new-post" / "_posts"
    shutil.rmtree(folder.parent, ignore_errors=True)
    folder.mkdir(parents=True)
    minute = f"{number // 60 % 24:02d}:{number % 60:02d}"
    (folder / f"2030-01-01-一篇新文章 {number}.md").write_text(
        f'---\nlayout: post\ntitle: "一篇新文章 {number}"\ndate: 2030-01-01T{minute}:00.000Z\n'
        f"author: 泡泡\nfrom: https://bench.example/new/{number}\ntags: [ 泡泡 ]\n"
        f"categories: [ 泡泡 ]\n---\n<p>基准测试新增的一篇文章。</p>\n", encoding="utf-8")
    subprocess.run([*NEWSVAULT, "--archive", str(archive), "import", "jekyll", str(folder)],
                   check=True, capture_output=True)


# -- measuring -----------------------------------------------------------------------------


def measured(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak MB of RSS summed over the process tree)."""
    started = time.perf_counter()
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(_rss(member) for member in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()[-3000:]}")
    measured.stdout = process.stdout.read().decode()
    return seconds, peak / 2**20


def own_seconds() -> float | None:
    """The "(12.3 s)" that `newsvault build` prints last."""
    found = re.search(r"\((\d+\.\d+) s\)\s*$", measured.stdout)
    return float(found.group(1)) if found else None


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def output_size(folder: Path) -> tuple[int, float]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files) / 1e6


def article_count(archive: Path) -> int:
    store = open_store(archive / "newsvault.db")
    try:
        return store.totals()["articles"]
    finally:
        store.close()


# -- the output folders ----------------------------------------------------------------------
# This disk is mounted with `discard`: deleting a built site (170–730 MB, thousands of
# files) keeps the disk busy for a while, and a build into the same place right after was
# measured 2–2.5× slower (6 s → 13–15 s at 1×, growing run after run). So an old output
# folder is renamed aside (instant) and deleted once every figure is taken.

TRASH = WORK / "trash"


def set_aside(folder: Path) -> None:
    if folder.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        folder.rename(TRASH / f"{folder.name}-{time.time_ns()}")


def empty_trash(settle: float = 0.0) -> None:
    shutil.rmtree(TRASH, ignore_errors=True)
    if settle:
        os.sync()
        time.sleep(settle)


# -- newsvault -----------------------------------------------------------------------------


def bench_newsvault(archive: Path, copies: int, one_new_runs: int) -> list[Run]:
    """Full, unchanged, then ``one_new_runs`` times one new article (a single run of a
    command that takes about a second says little on a shared machine)."""
    site = WORK / f"site-{copies}x"
    set_aside(site)
    build = [*NEWSVAULT, "--archive", str(archive), "build", "--out", str(site)]
    posts = article_count(archive)
    runs = [Run("newsvault", posts, "full", *measured(build), *output_size(site), own_seconds())]
    runs.append(Run("newsvault", posts, "unchanged", *measured(build), own_seconds=own_seconds()))
    for number in range(1, one_new_runs + 1):
        add_one_post(archive)
        runs.append(Run("newsvault", posts + number, f"one new ({number})", *measured(build),
                        *output_size(site), own_seconds()))
    return runs


# -- Hugo and Jekyll, on the same articles -------------------------------------------------

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "bench"
paginate = 50
rssLimit = 100
[permalinks]
  posts = "/:year-:month-:day/:slug/"
[taxonomies]
  category = "categories"
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = true
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html><head><meta charset=utf-8><title>{{ .Title }}"
                            "</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "
                            "\"2006-01-02 15:04\" }} {{ range .Params.categories }}{{ . }} "
                            "{{ end }}</p>{{ .Content }}{{ with .PrevInSection }}<a href=\""
                            "{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}{{ with "
                            ".NextInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
                            "{{ end }}{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range (.Paginate "
                          ".Pages).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
                          "</li>{{ end }}</ul>{{ template \"_internal/pagination.html\" . }}"
                          "{{ end }}",
    "index.html": "{{ define \"main\" }}<ul>{{ range (.Paginate .Site.RegularPages).Pages }}<li>"
                  "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>"
                  "{{ template \"_internal/pagination.html\" . }}{{ end }}",
}
JEKYLL_CONFIG = """title: bench
url: https://example.org
permalink: /:year-:month-:day/:slug/
paginate: 50
paginate_path: /page/:num/
plugins: [jekyll-feed, jekyll-sitemap, jekyll-paginate, jekyll-archives]
feed: {posts_limit: 100}
jekyll-archives: {enabled: [categories], layout: archive, permalinks: {category: "/category/:name/"}}
"""
JEKYLL_FILES = {
    "_layouts/default.html": "<!DOCTYPE html><html><head><meta charset=utf-8><title>"
                             "{{ page.title }}</title></head><body>{{ content }}</body></html>",
    "_layouts/post.html": "---\nlayout: default\n---\n<h1>{{ page.title }}</h1><p>{{ page.date "
                          "}} {{ page.categories | join: ' ' }}</p>{{ content }}{% if "
                          "page.previous %}<a href=\"{{ page.previous.url }}\">{{ "
                          "page.previous.title }}</a>{% endif %}{% if page.next %}<a href=\""
                          "{{ page.next.url }}\">{{ page.next.title }}</a>{% endif %}",
    "_layouts/archive.html": "---\nlayout: default\n---\n<h1>{{ page.title }}</h1><ul>{% for "
                             "post in page.posts %}<li><a href=\"{{ post.url }}\">{{ post.title "
                             "}}</a></li>{% endfor %}</ul>",
    "index.html": "---\nlayout: default\n---\n<ul>{% for post in paginator.posts %}<li><a href="
                  "\"{{ post.url }}\">{{ post.title }}</a></li>{% endfor %}</ul>{% if "
                  "paginator.next_page %}<a href=\"{{ paginator.next_page_path }}\">older</a>"
                  "{% endif %}",
}


def clean_posts(archive: Path, folder: Path, jekyll_names: bool) -> None:
    """The archive's articles as plain posts both tools read (JSON strings are YAML)."""
    store = open_store(archive / "newsvault.db")
    from newsvault.export.jekyll import post_for
    from newsvault.site.paths import post_slug
    try:
        for row in store.export_rows():
            post = post_for(row)
            name = f"{post.date_text[:10]}-{row.id}.md" if jekyll_names else f"{row.id}.md"
            front = {"title": row.title, "date": post.date_text, "slug": post_slug(row.post_name),
                     "tags": post.tags, "categories": post.categories}
            (folder / name).write_text(
                "---\n" + "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
                                  for key, value in front.items()) + "---\n" + row.content_html,
                encoding="utf-8")
    finally:
        store.close()


def bench_hugo(archive: Path, copies: int) -> list[Run]:
    root = WORK / f"hugo-{copies}x"
    set_aside(root)
    (root / "content/posts").mkdir(parents=True)
    (root / "config.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text)
    clean_posts(archive, root / "content/posts", jekyll_names=False)
    command = ["hugo", "--quiet", "-s", str(root), "-d", str(root / "public")]
    posts = article_count(archive)
    runs = [Run("hugo", posts, "full", *measured(command), *output_size(root / "public"))]
    (root / "content/posts/new.md").write_text(
        '---\ntitle: "一篇新文章"\ndate: "2030-01-01T08:00:00Z"\ncategories: ["泡泡"]\n---\n<p>新</p>\n')
    runs.append(Run("hugo", posts + 1, "one new", *measured(command)))
    return runs


def bench_jekyll(archive: Path, copies: int) -> list[Run]:
    root = WORK / f"jekyll-{copies}x"
    set_aside(root)
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(JEKYLL_CONFIG)
    for name, text in JEKYLL_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    clean_posts(archive, root / "_posts", jekyll_names=True)
    command = ["jekyll", "build", "--quiet", "--incremental", "-s", str(root), "-d",
               str(root / "_site")]
    posts = article_count(archive)
    runs = [Run("jekyll", posts, "full (cold)", *measured(command, cwd=root),
                *output_size(root / "_site"))]
    (root / "_posts/2030-01-01-new.md").write_text(
        '---\ntitle: "一篇新文章"\ndate: "2030-01-01T08:00:00Z"\ncategories: ["泡泡"]\n---\n<p>新</p>\n')
    runs.append(Run("jekyll", posts + 1, "one new (--incremental)", *measured(command, cwd=root)))
    return runs


def others_available(install: bool) -> set[str]:
    found = {tool for tool in ("hugo", "jekyll") if shutil.which(tool)}
    if len(found) < 2 and install and os.geteuid() == 0:
        print("installing Debian's hugo and jekyll (apt-get)…", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo", "jekyll", "ruby-jekyll-feed",
                        "ruby-jekyll-paginate", "ruby-jekyll-archives", "ruby-jekyll-sitemap"],
                       capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = {tool for tool in ("hugo", "jekyll") if shutil.which(tool)}
    return found


# -- report --------------------------------------------------------------------------------


def table(runs: list[Run]) -> str:
    lines = ["| tool | posts | build | wall | of which building | peak RSS | files | output |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for run in runs:
        files = f"{run.files:,}" if run.files else ""
        size = f"{run.megabytes:,.0f} MB" if run.files else ""
        own = f"{run.own_seconds:.2f} s" if run.own_seconds is not None else ""
        lines.append(f"| {run.tool} | {run.posts:,} | {run.step} | {run.seconds:.2f} s | {own} | "
                     f"{run.peak_mb:,.0f} MB | {files} | {size} |")
    return "\n".join(lines)


def one_new_summary(runs: list[Run]) -> str:
    walls = sorted(run.seconds for run in runs if run.step.startswith("one new"))
    if not walls:
        return ""
    return (f"one new article, {runs[0].posts:,} posts, {len(walls)} runs: command median "
            f"{statistics.median(walls):.2f} s, min {walls[0]:.2f} s, max {walls[-1]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,4", help="copies of the corpus: 1 and/or 4")
    parser.add_argument("--no-others", action="store_true", help="skip Hugo and Jekyll")
    parser.add_argument("--no-install", action="store_true", help="never apt-get them")
    parser.add_argument("--jekyll-4x", action="store_true", help="Jekyll on 22,740 posts too")
    parser.add_argument("--one-new-runs", type=int, default=5,
                        help="one-new-article rebuilds, one after another (default 5)")
    args = parser.parse_args()
    compile_newsvault()
    WORK.mkdir(parents=True, exist_ok=True)
    if TRASH.exists():  # left by an interrupted run: deleted, and the disk given time
        empty_trash(settle=15)
    others = set() if args.no_others else others_available(not args.no_install)
    runs: list[Run] = []
    for copies in map(int, args.sizes.split(",")):
        archive = archive_of(corpus_posts(copies), copies)
        mine = bench_newsvault(archive, copies, args.one_new_runs)
        runs += mine
        print(table(mine), flush=True)
        print(one_new_summary(mine), flush=True)
        if "hugo" in others:
            runs += bench_hugo(archive, copies)
        if "jekyll" in others and (copies == 1 or args.jekyll_4x):
            runs += bench_jekyll(archive, copies)
    skipped = {"hugo", "jekyll"} - others
    print("\n" + table(runs))
    if skipped:
        why = "--no-others" if args.no_others else "not installed"
        print(f"\nskipped ({why}): {', '.join(sorted(skipped))}; the issue's figures:")
    for name, figure in REFERENCE.items():
        print(f"- {name}: {figure}")
    (WORK / "results.json").write_text(json.dumps([asdict(run) for run in runs], indent=1))
    empty_trash()


if __name__ == "__main__":
    main()
