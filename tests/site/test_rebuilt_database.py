"""The site's build state is kept beside the pages, keyed by article id and change_seq; a
database rebuilt from the exported posts (the README's recovery, and the GitHub workflow
when its cache is empty) numbers the same articles otherwise. An incremental build from it
must still show every article at its own page, as ``--full`` does."""

import marshal
import os
from pathlib import Path

from newsvault.archive import Archive, open_archive
from newsvault.export.jekyll import export_jekyll
from newsvault.export.jekyll_import import import_jekyll
from newsvault.scaffold import create_archive
from newsvault.site import build_archive_site
from newsvault.site.builder import article_pages
from newsvault.site.state import STATE_FILE
from site_support import DAY_MS, START_MS, FixtureArchive, make_archive
from support.cli import cli_env, newsvault

DATABASE = "newsvault.db"


def files_of(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def titles_by_id(archive: Archive) -> dict[int, str]:
    return {row.id: row.title for row in archive.store.site_articles()}


def shown_titles(site: Path) -> dict[str, str]:
    """Article page → the title its heading shows."""
    shown = {}
    for page in site.glob("20*/*/index.html"):
        html = page.read_text(encoding="utf-8")
        shown[str(page.relative_to(site))] = html[html.index("<h1>") + 4:html.index("</h1>")]
    return shown


def own_pages(archive: Archive, full_site: Path) -> dict[str, str]:
    """Article page → the title of the article that the archive gives that page (from the
    state of a site built whole, from nothing)."""
    titles = titles_by_id(archive)
    return {page: titles[article_id] for article_id, page in article_pages(full_site).items()}


def replace_database(root: Path, database: Path) -> Archive:
    """The archive at ``root`` with ``database`` in place of its own (closed before)."""
    os.replace(root / DATABASE, root / "set-aside.db")
    os.replace(database, root / DATABASE)
    return open_archive(root)


def rebuilt_from_posts(made: FixtureArchive) -> FixtureArchive:
    """The README's recovery: the database set aside, the archive rebuilt from its posts."""
    root = made.archive.root
    export_jekyll(made.archive.store, root / "_posts")
    made.archive.close()
    os.replace(root / DATABASE, root / "set-aside.db")
    archive = open_archive(root)
    for name, source_id in made.sources.items():  # as newsvault.toml lists them
        assert archive.store.ensure_source(name, f"https://{source_id}.example/feed", 0) == source_id
    report = import_jekyll(archive.store, root / "_posts")
    assert report.imported == made.count
    return FixtureArchive(archive, made.sources, made.count)


def build_both(archive: Archive, tmp_path: Path):
    """An incremental build of the archive's site, and a full one elsewhere to compare."""
    report = build_archive_site(archive)
    build_archive_site(archive, tmp_path / "full", full=True)
    return report


def test_an_edit_after_the_database_was_rebuilt_from_its_posts_is_shown_at_its_own_page(
        tmp_path):
    made = make_archive(tmp_path / "news", {"晨报": 6, "周刊": 4, "Evening Post": 3})
    site = made.site
    build_archive_site(made.archive)
    before = titles_by_id(made.archive)
    rebuilt = rebuilt_from_posts(made)
    archive = rebuilt.archive
    assert titles_by_id(archive) != before  # the same articles, numbered otherwise
    assert sorted(titles_by_id(archive).values()) == sorted(before.values())

    rebuilt.fetch_again("晨报", "https://news.example/1", "晨报第一篇改过的标题",
                        "<p>改过的正文。</p>", START_MS)
    report = build_both(archive, tmp_path)

    assert shown_titles(site) == own_pages(archive, tmp_path / "full")
    assert "晨报第一篇改过的标题" in shown_titles(site).values()
    assert files_of(site) == files_of(tmp_path / "full")
    assert report.rebuilt == "the last build was made from another database"
    assert report.rendered == report.pages
    again = build_archive_site(archive)  # the state now names this database
    assert (again.rebuilt, again.rendered, again.written) == ("", 0, 0)
    archive.close()


def test_pages_of_another_database_are_replaced_and_those_it_lacks_deleted(tmp_path):
    """A fresh archive, same count and sources, whose ids are other articles': its pages
    are made and the first archive's that it lacks go."""
    made = make_archive(tmp_path / "news", {"晨报": 5, "周刊": 3})
    build_archive_site(made.archive)
    gone = shown_titles(made.site)
    made.archive.close()
    other = tmp_path / "other"
    create_archive(other, title="测试站", empty=True, github_actions=False)
    second = open_archive(other)
    sources = {name: second.store.ensure_source(name, f"https://{n}.example/feed", 0)
               for n, name in enumerate(["晨报", "周刊"])}
    fresh = FixtureArchive(second, sources)
    for source, day in [("周刊", 2), ("周刊", 1), ("晨报", 9), ("晨报", 3), ("周刊", 0),
                        ("晨报", 2), ("晨报", 1), ("晨报", 0)]:
        fresh.add(source, f"{source}的另一篇稿件{day}", f"<p>{source}{day}</p>",
                  START_MS + day * DAY_MS)
    second.close()
    archive = replace_database(tmp_path / "news", other / DATABASE)

    report = build_both(archive, tmp_path)

    assert shown_titles(made.site) == own_pages(archive, tmp_path / "full")
    assert not set(gone.values()) & set(shown_titles(made.site).values())
    assert report.deleted >= len(gone)
    assert files_of(made.site) == files_of(tmp_path / "full")
    assert report.rebuilt == "the last build was made from another database"
    archive.close()


def test_a_state_of_an_older_version_names_no_database_and_the_next_build_is_whole(tmp_path):
    made = make_archive(tmp_path / "news", {"晨报": 6, "周刊": 4})
    site = made.site
    build_archive_site(made.archive)
    main = marshal.loads((site / STATE_FILE).read_bytes())
    main.pop("archive", None)  # as newsvault wrote it before databases had an identity
    (site / STATE_FILE).write_bytes(marshal.dumps(main))
    rebuilt = rebuilt_from_posts(made)
    archive = rebuilt.archive
    rebuilt.fetch_again("周刊", "https://news.example/7", "周刊改过的标题", "<p>改过。</p>",
                        START_MS)

    report = build_both(archive, tmp_path)

    assert shown_titles(site) == own_pages(archive, tmp_path / "full")
    assert "周刊改过的标题" in shown_titles(site).values()
    assert files_of(site) == files_of(tmp_path / "full")
    assert report.rebuilt == "the last build did not record its database"
    assert build_archive_site(archive).rebuilt == ""
    archive.close()


def built_then_restored(tmp_path: Path) -> tuple[Archive, int]:
    """An archive whose site was built after an edit, with the database as it was before
    the edit restored (a backup); and the change_seq the build saw."""
    made = make_archive(tmp_path / "news", {"晨报": 4})
    root, site = made.archive.root, made.site
    made.archive.close()
    backup = tmp_path / "backup.db"
    backup.write_bytes((root / DATABASE).read_bytes())
    archive = open_archive(root)
    FixtureArchive(archive, {"晨报": 1}, 4).fetch_again(
        "晨报", "https://news.example/2", "晨报改过的标题", "<p>改过。</p>", START_MS + DAY_MS)
    build_archive_site(archive)
    assert "晨报改过的标题" in shown_titles(site).values()
    seq = archive.store.current_seq()
    archive.close()
    return replace_database(root, backup), seq


def test_an_older_copy_of_the_same_database_renders_every_page_again(tmp_path):
    """A backup restored: the same identity, but changes the last build saw are gone."""
    archive, _ = built_then_restored(tmp_path)
    site = archive.root / "site"

    report = build_both(archive, tmp_path)

    assert "晨报改过的标题" not in shown_titles(site).values()
    assert files_of(site) == files_of(tmp_path / "full")
    assert report.rebuilt == "the database is older than the last build"
    archive.close()


def test_an_older_copy_that_made_as_many_changes_since_renders_every_page_again(tmp_path):
    """The hourly run fetches before it builds: a restored backup's own changes brought
    its change counter back up to the last build's, and the state was trusted."""
    archive, seq = built_then_restored(tmp_path)
    site = archive.root / "site"
    restored = FixtureArchive(archive, {"晨报": 1}, 4)
    while archive.store.current_seq() < seq:  # the restored copy's own changes
        title = f"晨报 {archive.store.current_seq()}"
        restored.fetch_again("晨报", "https://news.example/3", title, "<p>另一处修改。</p>",
                             START_MS + 2 * DAY_MS)

    report = build_both(archive, tmp_path)

    assert "晨报改过的标题" not in shown_titles(site).values()
    assert files_of(site) == files_of(tmp_path / "full")
    assert report.rebuilt == ("the database is an older copy than the last build's,"
                              " changed since")
    archive.close()


def test_the_search_api_gives_no_pages_of_a_build_from_another_database(tmp_path):
    made = make_archive(tmp_path / "news", {"晨报": 3})
    build_archive_site(made.archive)
    assert len(article_pages(made.site, made.archive.store.archive_id())) == 3
    assert article_pages(made.site, "0" * 32) == {}
    made.archive.close()


def test_build_says_in_one_line_why_it_made_every_page(tmp_path):
    made = make_archive(tmp_path / "news", {"晨报": 3})
    root = made.archive.root
    made.archive.close()
    newsvault("build", cwd=root, env=cli_env(), check=0)
    rebuilt = rebuilt_from_posts(FixtureArchive(open_archive(root), made.sources, 3))
    rebuilt.archive.close()
    lines = newsvault("build", cwd=root, env=cli_env(), check=0).stdout.splitlines()
    assert lines[0] == "site: the last build was made from another database: every page is made anew"
    assert lines[1].startswith("site: ") and "rendered" in lines[1] and len(lines) == 2
    lines = newsvault("build", cwd=root, env=cli_env(), check=0).stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("site: 0 of ")
