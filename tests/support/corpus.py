"""The shared corpus (5,685 real posts) plus the seed post, imported into an archive with
``newsvault import jekyll``: what the acceptance tests of search run on.

Needs ../shared/corpus/oped2-posts.tar.xz beside the repository; the tests that use it
are skipped when it is absent. Nothing from the corpus is copied into the repository.
"""

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus/oped2-posts.tar.xz"
SEED = SHARED / "reference/seed-post-zaobao-2022-01-27.md"
SEED_URL = "https://www.zaobao.com/realtime/china/story20220127-1237193"


def newsvault(*args, cwd) -> str:
    result = subprocess.run([sys.executable, "-m", "newsvault", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def corpus_archive(root: Path) -> Path:
    """An archive in ``root``/news holding the corpus and the seed post (skips the test
    when they are not there)."""
    if not CORPUS.exists() or not SEED.exists():
        pytest.skip(f"the shared corpus is not here ({CORPUS}, {SEED})")
    with tarfile.open(CORPUS, "r:xz") as archive:
        archive.extractall(root / "corpus", filter="data")
    posts = next(path.parent for path in (root / "corpus").rglob("*.md"))
    (root / "seed").mkdir()
    shutil.copy(SEED, root / "seed/2022-01-27-seed.md")
    newsvault("init", "news", "--empty", cwd=root)
    news = root / "news"
    newsvault("import", "jekyll", str(posts), cwd=news)
    newsvault("import", "jekyll", str(root / "seed"), cwd=news)
    return news
