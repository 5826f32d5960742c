"""End-to-end tests: the ``newsvault`` command in a real process, on a real archive folder,
against the loopback FeedServer (the ``feed_server`` fixture of tests/conftest.py)."""

from pathlib import Path

import pytest
from support.cli import FAST_FETCH, NO_SITE, ArchiveDir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes():
    """fixture_bytes(name) -> the bytes of tests/e2e/fixtures/NAME."""
    return lambda name: (FIXTURES / name).read_bytes()


@pytest.fixture
def archive(tmp_path) -> ArchiveDir:
    """An empty archive folder with small timeouts (support.cli.FAST_FETCH) whose `run`
    writes Jekyll posts but builds no site."""
    return ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)
