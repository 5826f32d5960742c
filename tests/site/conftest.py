"""Fixtures of the site tests (see site_support.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from site_support import FixtureArchive, small_archive_in  # noqa: E402


@pytest.fixture
def small_archive(tmp_path) -> FixtureArchive:
    made = small_archive_in(tmp_path / "news")
    yield made
    made.archive.close()
