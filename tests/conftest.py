"""Fixtures shared by every test package, and the loopback-only name resolution of every
process the tests run (support/loopback_only/sitecustomize.py)."""

import os
from pathlib import Path

import pytest

from support.loopback_only import sitecustomize as loopback_only
from support.server import FeedServer

_GUARD = str(Path(__file__).parent / "support" / "loopback_only")
os.environ["PYTHONPATH"] = os.pathsep.join(
    [_GUARD] + [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path])
loopback_only.install()


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1, empty until the test adds routes; see support/server.py."""
    with FeedServer() as server:
        yield server
