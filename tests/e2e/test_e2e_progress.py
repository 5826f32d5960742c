"""The first `run` after importing an archive cleans every article for the export and
the site: off a terminal, it says so in a few plain lines, as `fetch` does for sources."""

from support.cli import ArchiveDir
from support.posts import write_numbered_posts


def test_the_first_run_after_an_import_shows_the_cleaning(tmp_path):
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    write_numbered_posts(posts, 1200, '<p class="lead" onclick="x()">正文 {n}</p>')
    news = ArchiveDir.create(tmp_path / "news", build={"enabled": False})
    news.cli("import", "jekyll", str(posts), check=0)
    first = news.cli("run", check=0)
    lines = [line for line in first.stderr.splitlines() if line.startswith("cleaning: ")]
    assert lines[-1] == "cleaning: 1200/1200 articles" and 2 <= len(lines) <= 12
    assert "jekyll: 1200 posts written" in first.stdout
    again = news.cli("run", check=0)  # nothing new: nothing to clean, nothing said
    assert "cleaning" not in again.stderr and "jekyll: 0 posts written" in again.stdout
