"""How close HttpFetcher comes to plain parallel downloads (not a test; run by hand).

    python -m bench.pool_bench [--urls 500] [--latency 0.2] [--kb 380] [--concurrency 64]

The loopback server runs in its own process so that it does not share the GIL with the
client under measurement. Printed: seconds for the raw floor (N asyncio workers, each a
keep-alive socket doing minimal HTTP/1.1 GETs), for HttpFetcher, and for one httpx client
with an N-connection pool (the configuration HttpFetcher avoids).
"""

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the loopback server

from support.server import FeedServer  # noqa: E402

from newsvault.config import FetchSettings  # noqa: E402
from newsvault.fetch import HttpFetcher  # noqa: E402


def serve(body_size: int, latency: float, ready, stop) -> None:
    with FeedServer() as server:
        server.route("/b/*", body=b"x" * body_size, delay=latency,
                     headers={"Content-Type": "application/rss+xml"})
        ready.put(server.port)
        stop.wait()


async def raw_floor(port: int, paths: list[str], workers: int) -> None:
    queue = list(reversed(paths))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            path = queue.pop()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(workers)))


async def fetcher(port: int, paths: list[str], concurrency: int) -> None:
    settings = FetchSettings(concurrency=concurrency, per_host=concurrency)
    async with HttpFetcher(settings) as client:
        await asyncio.gather(*(client.get(f"http://127.0.0.1:{port}{p}") for p in paths))


async def one_httpx_client(port: int, paths: list[str], concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=None) as client:
        async def get(path: str) -> None:
            async with client.stream("GET", f"http://127.0.0.1:{port}{path}") as response:
                async for _ in response.aiter_raw():
                    pass

        await asyncio.gather(*(get(p) for p in paths))


def timed(coroutine) -> float:
    started = time.perf_counter()
    asyncio.run(coroutine)
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--urls", type=int, default=500)
    options.add_argument("--latency", type=float, default=0.2)
    options.add_argument("--kb", type=int, default=380)
    options.add_argument("--concurrency", type=int, default=64)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    ready, stop = multiprocessing.Queue(), multiprocessing.Event()
    process = multiprocessing.Process(target=serve,
                                      args=(args.kb * 1024, args.latency, ready, stop))
    process.start()
    try:
        port = ready.get(timeout=10)
        paths = [f"/b/{n}" for n in range(args.urls)]
        n = args.concurrency
        ideal = -(-args.urls // n) * args.latency
        print(f"{args.urls} URLs, {args.kb} KB, {args.latency * 1000:.0f} ms latency, "
              f"concurrency {n}; latency alone: {ideal:.2f}s")
        for round_ in range(args.rounds):
            raw = timed(raw_floor(port, paths, n))
            ours = timed(fetcher(port, paths, n))
            single = timed(one_httpx_client(port, paths, n))
            print(f"round {round_ + 1}: raw floor {raw:.2f}s | HttpFetcher {ours:.2f}s "
                  f"({ours / raw:.2f}x) | one httpx client {single:.2f}s ({single / raw:.2f}x)")
    finally:
        stop.set()
        process.join()


if __name__ == "__main__":
    main()
