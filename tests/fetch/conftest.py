"""Fixtures for the HTTP stage's tests: fast settings and a one-call ``fetch``."""

import asyncio

import pytest

from newsvault.config import FetchSettings
from newsvault.fetch import HttpFetcher

FIXED_NOW_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def fast_settings(**changes) -> FetchSettings:
    """Small timeouts and backoff, so failures are quick; real limits otherwise."""
    values = dict(connect_timeout=1.0, read_timeout=2.0, total_timeout=10.0,
                  retries=2, backoff=0.01)
    values.update(changes)
    return FetchSettings(**values)


@pytest.fixture
def fetch():
    """fetch(url, settings=None, **get_kwargs) -> HttpResponse, through a fresh HttpFetcher
    whose clock is fixed at FIXED_NOW_MS."""

    def run(url: str, settings: FetchSettings | None = None, **get_kwargs):
        async def go():
            async with HttpFetcher(settings or fast_settings(),
                                   clock_ms=lambda: FIXED_NOW_MS) as fetcher:
                return await fetcher.get(url, **get_kwargs)

        return asyncio.run(go())

    return run


@pytest.fixture
def make_settings():
    """make_settings(**changes) -> FetchSettings with fast timeouts and backoff."""
    return fast_settings
