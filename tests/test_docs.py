"""The README and the documents under docs/ link to what exists."""

import shutil
from pathlib import Path

from support.doclinks import check

REPO = Path(__file__).parents[1]


def test_every_relative_link_and_anchor_of_the_docs_resolves():
    files, count, problems = check(REPO)
    assert len(files) >= 5 and count >= 40
    assert problems == []


def test_a_broken_link_or_anchor_is_found(tmp_path):
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    (tmp_path / "docs").mkdir()
    for doc in (REPO / "docs").glob("*.md"):
        shutil.copy(doc, tmp_path / "docs" / doc.name)
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n[a](docs/none.md) "
                      "[b](docs/posts.md#no-such-heading) [c](#exit-codes)\n",
                      encoding="utf-8")
    _, _, problems = check(tmp_path)
    assert len(problems) == 2
    assert "no such file" in problems[0] and "no heading #no-such-heading" in problems[1]
