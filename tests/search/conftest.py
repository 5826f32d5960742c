"""A small archive of our own articles (never corpus text) for the search tests."""

import pytest

from newsvault.config import SourceSettings
from newsvault.store import open_store


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    store.sync_sources([SourceSettings("早报", "http://a.test/feed"),
                        SourceSettings("Daily", "http://b.test/feed")], now_ms=1)
    yield store
    store.close()

