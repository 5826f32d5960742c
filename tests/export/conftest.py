"""The shared corpus of 5,685 posts the old system wrote, extracted once per session.

It lives in ../shared/corpus/ beside the repository (as in CI); the tests that need it are
skipped, saying so, when it is absent. Nothing from it is copied into the repository.
"""

import tarfile
from pathlib import Path

import pytest

from newsvault.store import open_store

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared/corpus/oped2-posts.tar.xz"
CORPUS_POSTS = 5685


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The folder holding the corpus's posts (its ``_posts``)."""
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is absent: {CORPUS} not found")
    target = tmp_path_factory.mktemp("oped2-posts")
    with tarfile.open(CORPUS, "r:xz") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, filter="data")
        else:  # Python before 3.11.4
            archive.extractall(target)
    [posts] = {path.parent for path in target.rglob("*.md")}
    return posts


@pytest.fixture(scope="session")
def corpus_files(corpus_dir) -> list[Path]:
    files = sorted(path for path in corpus_dir.rglob("*.md") if path.is_file())
    assert len(files) == CORPUS_POSTS
    return files


@pytest.fixture
def store(tmp_path):
    """A fresh archive database."""
    store = open_store(tmp_path / "newsvault.db")
    yield store
    store.close()


@pytest.fixture
def posts(tmp_path) -> Path:
    """An empty ``_posts`` folder."""
    folder = tmp_path / "_posts"
    folder.mkdir()
    return folder

