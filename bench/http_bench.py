"""The HTTP client's cost: HttpFetcher (aiohttp) against plain parallel downloads, and
against httpx, which it replaced (not a test; run by hand).

    python -m bench.http_bench [--urls 500] [--latency 0.2] [--kb 380] [--concurrency 64]

The loopback server runs in its own process so that it does not share the GIL with the
client under measurement. Printed for each client: wall seconds, and the CPU seconds of
this process (the client's own work: on a 2-core machine that shares its cores with the
feed parsers, this is what decides the fetch's speed). Clients:
- the raw floor: N asyncio workers, each a keep-alive socket doing minimal HTTP/1.1 GETs;
- HttpFetcher, as `newsvault fetch` uses it;
- httpx (`pip install httpx`; skipped without it): one AsyncClient with an N-connection
  pool, and 8 clients of N/8 connections (the way newsvault used httpx before aiohttp).
"""

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

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


async def httpx_clients(port: int, paths: list[str], concurrency: int, clients: int) -> None:
    import httpx

    size = concurrency // clients
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    pool = [httpx.AsyncClient(limits=limits, timeout=None) for _ in range(clients)]
    in_flight = asyncio.Semaphore(concurrency)

    async def get(number: int, path: str) -> None:
        async with in_flight:
            client = pool[number % clients]
            async with client.stream("GET", f"http://127.0.0.1:{port}{path}") as response:
                async for _ in response.aiter_raw():
                    pass

    await asyncio.gather(*(get(number, path) for number, path in enumerate(paths)))
    for client in pool:
        await client.aclose()


def timed(coroutine) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process)"""
    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(coroutine)
    return time.perf_counter() - started, time.process_time() - cpu


def httpx_installed() -> bool:
    try:
        import httpx  # noqa: F401
    except ImportError:
        return False
    return True


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
        with_httpx = httpx_installed()
        if not with_httpx:
            print("httpx is not installed: its rows are skipped (pip install httpx)")
        for round_ in range(args.rounds):
            rows = [("raw floor", timed(raw_floor(port, paths, n))),
                    ("HttpFetcher (aiohttp)", timed(fetcher(port, paths, n)))]
            if with_httpx:
                rows += [("httpx, 1 client", timed(httpx_clients(port, paths, n, 1))),
                         (f"httpx, 8 clients of {n // 8}", timed(httpx_clients(port, paths, n, 8)))]
            floor_wall = rows[0][1][0]
            print(f"round {round_ + 1}:")
            for name, (wall, cpu) in rows:
                print(f"  {name:24s} wall {wall:5.2f} s ({wall / floor_wall:4.2f}x floor)   "
                      f"CPU {cpu:5.2f} s")
    finally:
        stop.set()
        process.join()


if __name__ == "__main__":
    main()
