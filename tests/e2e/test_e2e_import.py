"""`import jekyll` of the archive's own posts folder: what a migration in place and the
workflow's rebuild of the database do. The folder must end as it began, one file per post."""

import sqlite3

from support.cli import NO_SITE, ArchiveDir


def post(title: str, link: str | None) -> str:
    from_line = f"from: {link}\n" if link else ""
    return (f'---\nlayout: post\ntitle: "{title}"\ndate: 2022-01-27 10:00:00 +0800\n'
            f"author: 样例\n{from_line}tags: [ 样例 ]\ncategories: [ 样例 ]\n---\n<p>{title}</p>\n")


OLD_POSTS = {
    "2022-01-27-Linked: a.md": post("Linked: a", "https://news.example/a"),
    "2022-01-27-Own: b.md": post("Own: b", None),  # a post of the user's, with no link
    "2022-01-27-Kept.md": post("Kept", "https://news.example/c"),
}
RENAMED = {"2022-01-27-Linked： a.md", "2022-01-27-Own： b.md", "2022-01-27-Kept.md"}


def test_importing_the_export_folder_renames_its_files_so_no_post_is_there_twice(tmp_path):
    news = ArchiveDir.create(tmp_path / "news", build=NO_SITE)
    posts = news.root / "_posts"
    posts.mkdir()
    for name, text in OLD_POSTS.items():
        (posts / name).write_text(text, encoding="utf-8")
    imported = news.cli("import", "jekyll", str(posts), check=0)
    assert "renamed on disk: '2022-01-27-Own: b.md' → 2022-01-27-Own： b.md" in imported.stdout
    assert {path.name for path in posts.iterdir()} == RENAMED
    news.cli("export", "jekyll", check=0)
    assert {path.name for path in posts.iterdir()} == RENAMED
    exported = {path.name: path.read_bytes() for path in posts.iterdir()}

    news.db_path.unlink()  # the workflow's rebuild on a cache miss
    rebuilt = news.cli("import", "jekyll", str(posts), check=0)
    assert "3 articles imported" in rebuilt.stdout and "0 renamed" in rebuilt.stdout
    again = news.cli("export", "jekyll", check=0)
    assert "0 posts written" in again.stdout
    assert {path.name: path.read_bytes() for path in posts.iterdir()} == exported


def test_the_export_folder_read_again_into_its_own_database_adds_nothing(tmp_path):
    news = ArchiveDir.create(tmp_path / "news", build=NO_SITE)
    old = tmp_path / "old" / "_posts"
    old.mkdir(parents=True)
    for name, text in OLD_POSTS.items():
        (old / name).write_text(text, encoding="utf-8")
    assert "renamed: '2022-01-27-Own: b.md'" in news.cli("import", "jekyll", str(old), check=0).stdout
    news.cli("export", "jekyll", check=0)
    posts = news.root / "_posts"
    assert {path.name for path in posts.iterdir()} == RENAMED
    again = news.cli("import", "jekyll", str(posts), check=0)
    assert "0 articles imported" in again.stdout and "3 already in the archive" in again.stdout
    with sqlite3.connect(news.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone() == (3,)
    assert {path.name for path in old.iterdir()} == set(OLD_POSTS)  # another folder: untouched
