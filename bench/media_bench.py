"""Image download benchmark: articles that show images, many of them shared, on a loopback
server; how many bytes the archive stores against how many its articles reference.

    python -m bench.media_bench                  # 400 articles × 6 images of 600 URLs
    python -m bench.media_bench --articles 100 --latency 0

The server (a thread of this process, http.server) serves ``--urls`` image URLs whose
bodies come from ``--distinct`` contents (several URLs, one file: a CDN's size variants or
mirrors), each a PNG signature followed by random bytes (20-200 KB; sniffed, never decoded),
answered after ``--latency`` seconds. Each article shows ``--per-article`` images picked at
random (fixed seed). A cold ``newsvault fetch`` with NEWSVAULT_ALLOW_PRIVATE=1 downloads
them; the script prints the image step's figures and the archive's: referenced vs stored
bytes (the dedupe ratio), downloads/s and MB/s. It asserts correctness only (every image
stored, each distinct content once), never a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
MB = 1_000_000


def make_world(args) -> tuple[dict[str, bytes], list[list[str]]]:
    rng = random.Random(4)
    contents = [PNG + rng.randbytes(rng.randint(20_000, 200_000)) for _ in range(args.distinct)]
    images = {f"/img/{number}.png": contents[number % args.distinct]
              for number in range(args.urls)}
    paths = sorted(images)
    articles = [rng.sample(paths, args.per_article) for _ in range(args.articles)]
    return images, articles


def feed(base: str, articles: list[list[str]]) -> bytes:
    items = "".join(
        f"<item><title>第{number}篇</title><link>{base}/a/{number}.html</link>"
        f"<guid>{base}/a/{number}.html</guid><description>{escape(''.join(f'<p><img src={chr(34)}{path}{chr(34)}></p>' for path in paths))}</description></item>"
        for number, paths in enumerate(articles))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>图</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


def start_server(routes: dict[str, tuple[bytes, str]], latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body, kind = routes.get(self.path, (b"", ""))
            if latency:
                time.sleep(latency)
            self.send_response(200 if kind else 404)
            self.send_header("Content-Type", kind or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def newsvault(root: Path, *args: str) -> str:
    env = {**os.environ, "NEWSVAULT_ALLOW_PRIVATE": "1", "COLUMNS": "400",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"),
                                                        os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "newsvault", "--archive", str(root), *args],
                            capture_output=True, text=True, env=env, check=True)
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--per-article", type=int, default=6)
    parser.add_argument("--urls", type=int, default=600)
    parser.add_argument("--distinct", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per image answer")
    args = parser.parse_args()
    images, articles = make_world(args)
    routes = {path: (body, "image/png") for path, body in images.items()}
    server = start_server(routes, args.latency)
    base = f"http://127.0.0.1:{server.server_port}"
    routes["/feed.xml"] = (feed(base, articles), "application/rss+xml")
    with tempfile.TemporaryDirectory(prefix="media-bench-") as folder:
        root = Path(folder) / "news"
        newsvault(Path(folder), "init", str(root), "--empty")
        with (root / "newsvault.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[[sources]]\nname = "图"\nurl = "{base}/feed.xml"\n')
        started = time.perf_counter()
        output = newsvault(root, "fetch", "--strict")
        wall = time.perf_counter() - started
        media = json.loads(newsvault(root, "status", "--json"))["media"]
        on_disk = sum(path.stat().st_size for path in (root / "assets").rglob("*.png"))
    server.shutdown()
    step = float(re.search(r"^images: .*\(([\d.]+) s\)$", output, re.M).group(1))
    used = {path for paths in articles for path in paths}
    distinct_used = {images[path] for path in used}
    assert media["ok"] == len(used) and media["failed"] == 0, media
    assert media["files"] == len(distinct_used) and on_disk == media["stored_bytes"], media
    downloaded = sum(len(images[path]) for path in used)
    print(f"{args.articles} articles × {args.per_article} images, {len(used)} URLs, "
          f"{len(distinct_used)} distinct files, latency {args.latency * 1000:.0f} ms")
    print(f"referenced by articles: {media['referenced_bytes'] / MB:.1f} MB; "
          f"downloaded: {downloaded / MB:.1f} MB; stored: {media['stored_bytes'] / MB:.1f} MB "
          f"in {media['files']} files; dedupe ratio (referenced / stored) "
          f"{media['referenced_bytes'] / media['stored_bytes']:.2f}")
    print(f"image step: {step:.2f} s, {len(used) / step:.0f} downloads/s, "
          f"{downloaded / MB / step:.1f} MB/s; whole `fetch`: {wall:.2f} s")


if __name__ == "__main__":
    main()
