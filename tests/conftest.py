"""Fixtures shared by every test package."""

import pytest

from support.server import FeedServer


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1, empty until the test adds routes; see support/server.py."""
    with FeedServer() as server:
        yield server
