"""Two costs of identity that every command or every fetched item pays.

- Sources: opening an archive whose ``newsvault.toml`` lists N sources the database does
  not have yet (the first command after an OPML import of N feeds), then opening it again
  (every later command). Each open syncs the sources table with the file.
- Links: ``canonical_url`` over the `from:` links of the shared corpus (every fetched
  item's link goes through it), per link, best of ``--repeat``.

Times are wall time of this process; nothing else should run meanwhile.

Usage: python -m bench.sources_bench [--sources 500,6000] [--repeat 5]
"""

import argparse
import tempfile
import time
from pathlib import Path

from bench.corpus import load_posts
from newsvault.archive import open_archive
from newsvault.scaffold import create_archive
from newsvault.store.identity import canonical_url


def time_open(folder: Path) -> float:
    started = time.perf_counter()
    open_archive(folder).close()
    return time.perf_counter() - started


def sources_figures(count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "news"
        create_archive(folder, title="bench", empty=True, github_actions=False)
        blocks = "".join(f'\n[[sources]]\nname = "源{n}"\nurl = "https://s{n}.example/feed"\n'
                         for n in range(count))
        with (folder / "newsvault.toml").open("a", encoding="utf-8") as config:
            config.write(blocks)
        return time_open(folder), time_open(folder)


def link_figures(repeat: int) -> tuple[int, int, float]:
    links = [post.url for post in load_posts() if post.url]
    spelled = sum(1 for link in links if "%" in link or not link.isascii())
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for link in links:
            canonical_url(link)
        best = min(best, time.perf_counter() - started)
    return len(links), spelled, best / len(links) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default="500,6000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for count in (int(part) for part in args.sources.split(",")):
        first, again = sources_figures(count)
        print(f"open with {count:>6} new sources   {first:7.3f} s   again {again:7.3f} s")
    links, spelled, micros = link_figures(args.repeat)
    print(f"canonical_url over {links} corpus links ({spelled} with escapes or past ASCII): "
          f"{micros:.2f} µs a link (best of {args.repeat})")


if __name__ == "__main__":
    main()
