"""pipeline/fulltext.py in this process, where its thresholds can be moved: the process
pool that extracts many pages, and a server that asks to wait."""

import pytest
from support.cli import FAST_FETCH, NO_SITE, ArchiveDir
from support.pages import fixture_pages, missing_body

from newsvault.archive import open_archive
from newsvault.pipeline import fulltext, running

PAGES = fixture_pages()
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def pages_on_loopback(monkeypatch):
    """The article pages are on the loopback test server: let the SSRF guard pass them."""
    monkeypatch.setenv("NEWSVAULT_ALLOW_PRIVATE", "1")


def feed(server, links: list[tuple[str, str]]) -> bytes:
    items = "".join(f"<item><guid>{link}</guid><title>{title}</title><link>{server.url(link)}"
                    f"</link><description>摘要…</description></item>" for link, title in links)
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


@pytest.fixture
def archive_dir(tmp_path):
    return ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)


def shown(archive, article_id):
    [source] = archive.store.display_sources([article_id])  # what the sanitizer is given
    return source.content_html


def test_past_the_threshold_a_pool_of_processes_extracts_the_pages(
        archive_dir, feed_server, monkeypatch):
    monkeypatch.setattr(fulltext, "_PROCESS_THRESHOLD", 4)
    spawned = []
    real = fulltext._extraction_executor
    monkeypatch.setattr(fulltext, "_extraction_executor",
                        lambda pages: spawned.append(real(pages)) or spawned[-1])
    links = []
    for number, page in enumerate(PAGES):
        feed_server.route(f"/{number}.html", body=page.html, headers=HTML)
        links.append((f"/{number}.html", page.title))
    feed_server.route("/feed.xml", body=feed(feed_server, links),
                      headers={"Content-Type": "application/rss+xml"})
    archive_dir.add_source("多", feed_server.url("/feed.xml"))
    archive = open_archive(archive_dir.root)
    try:
        [outcome] = running.fetch(archive)
        assert (outcome.pages, outcome.pages_failed) == (len(PAGES), 0)
        assert type(spawned[0]).__name__ == "ProcessPoolExecutor"
        rows = {row.title: row.id for row in archive.store.site_articles()}
        for page in PAGES:
            assert missing_body(page, shown(archive, rows[page.title])) == []
    finally:
        archive.close()


def test_a_site_that_asks_to_wait_gets_no_more_requests_in_this_run(archive_dir, feed_server):
    feed_server.route("/busy/*", status=429, headers={"Retry-After": "3600"})
    links = [(f"/busy/{number}.html", f"标题 {number}") for number in range(6)]
    feed_server.route("/feed.xml", body=feed(feed_server, links),
                      headers={"Content-Type": "application/rss+xml"})
    archive_dir.add_source("忙", feed_server.url("/feed.xml"))
    archive = open_archive(archive_dir.root)
    try:
        [outcome] = running.fetch(archive)
    finally:
        archive.close()
    assert outcome.pages_failed == 6 and "429" in outcome.page_error
    # the per-host limit lets a few requests start before the first answer says to wait
    assert feed_server.count("/busy/*") <= archive.settings.fetch.per_host
