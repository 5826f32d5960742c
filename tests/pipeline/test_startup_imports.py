"""What each process of a fetch imports before its first request: the fetching process
sends requests and hands bodies over, and never parses a feed or an article page, so it
must not pay for the parsers at start-up (the time to its first request); the writer
processes parse and store, and never speak HTTP."""

import json
import subprocess
import sys

FETCHING = "import newsvault.cli, newsvault.archive, newsvault.pipeline.running"
WRITER = "import newsvault.pipeline.writer"


def modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    return set(json.loads(done.stdout))


def test_the_fetching_process_starts_without_the_parsers():
    loaded = modules_after(FETCHING)
    assert "aiohttp" in loaded  # it does load what it needs
    unwanted = {"lxml", "lxml.etree", "lxml.html", "cssselect", "trafilatura", "nh3",
                "newsvault.feeds", "newsvault.content.extract", "newsvault.content.sanitize",
                "newsvault.pipeline.writer"}
    assert loaded & unwanted == set()


def test_a_writer_process_starts_without_http_or_asyncio():
    loaded = modules_after(WRITER)
    assert "newsvault.feeds" in loaded
    assert loaded & {"asyncio", "aiohttp", "httpx", "click", "rich", "nh3"} == set()
