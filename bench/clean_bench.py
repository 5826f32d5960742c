"""The sanitizer over the shared corpus: CPU per article, and what it changes.

    python bench/clean_bench.py [POSTS_DIR]   (default: the corpus unpacked in /tmp)

Reads every post with export.post.parse_post, cleans its HTML against its ``from:`` link,
and prints the cost per article, how many posts cleaning leaves unchanged, and whether
cleaning clean HTML changes it again (it must not).
"""

import os
import statistics
import sys
import time
from pathlib import Path

from newsvault.content.sanitize import clean_html, image_urls
from newsvault.export.post import parse_post

DEFAULT = Path("/tmp/clean-corpus/_posts")


def main(folder: Path) -> None:
    posts = [parse_post((folder / name).read_text(encoding="utf-8"))
             for name in sorted(os.listdir(folder))]
    times, unchanged, unstable, images, size_in, size_out = [], 0, [], 0, 0, 0
    for post in posts:
        started = time.perf_counter()
        clean = clean_html(post.html, post.url)
        times.append(time.perf_counter() - started)
        unchanged += clean == post.html
        if clean_html(clean, post.url) != clean:
            unstable.append(post.title)
        images += len(image_urls(clean))
        size_in += len(post.html.encode())
        size_out += len(clean.encode())
    ms = sorted(t * 1000 for t in times)
    print(f"posts {len(posts)}, HTML {size_in / 1e6:.1f} MB in, {size_out / 1e6:.1f} MB out")
    print(f"clean_html: total {sum(times):.2f} s, mean {statistics.mean(ms):.3f} ms,"
          f" median {ms[len(ms) // 2]:.3f} ms, p99 {ms[int(len(ms) * 0.99)]:.3f} ms,"
          f" max {ms[-1]:.1f} ms")
    print(f"unchanged by cleaning: {unchanged}; cleaning again changes: {len(unstable)}"
          f" {unstable[:5]}; images kept: {images}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
