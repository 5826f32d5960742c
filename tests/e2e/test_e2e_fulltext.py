"""Full text, as a user meets it: summary-only feeds whose links lead to pages shaped like real
news sites (tests/content/fixtures), served by the loopback FeedServer, archived by the real
command; the server counts every page request."""

import json
import zlib
from html import escape

import pytest
from support.cli import FAST_FETCH, NO_SITE, ArchiveDir, result_rows, summary_line
from support.pages import boilerplate_in, fixture_pages, missing_body

pytestmark = pytest.mark.timeout(120)

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGES = {page.name: page for page in fixture_pages()}
LONG_ITEM = "<p>" + "这篇文章的全文已经在订阅源里，不需要再去抓取它的网页。" * 30 + "</p>"


@pytest.fixture(autouse=True)
def pages_on_loopback(monkeypatch):
    """The article pages are on the loopback test server: let the SSRF guard pass them."""
    monkeypatch.setenv("NEWSVAULT_ALLOW_PRIVATE", "1")


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    """A feed of (guid, title, link, description HTML) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(description)}</description></item>"
        for guid, title, link, description in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://example.org/</link>{entries}</channel></rss>").encode()


def serve_feed(server, path: str, items) -> str:
    server.route(path, body=rss(items), headers=RSS)
    return server.url(path)


def serve_page(server, path: str, name: str) -> str:
    server.route(path, body=PAGES[name].html, headers=HTML)
    return server.url(path)


def shown_content(archive, title: str) -> str:
    """What the archive shows of the article: the extracted page, or the feed's content."""
    [(html,)] = archive.query("SELECT COALESCE(fulltext_html, content_html) FROM articles"
                              " WHERE title = ?", title)
    return html


def post_text(archive, title: str) -> str:
    [post] = [path for path in (archive.root / "_posts").iterdir()
              if f'title: "{title}"' in path.read_text(encoding="utf-8")]
    return post.read_text(encoding="utf-8")


def test_summary_only_feeds_are_archived_with_the_article_body_and_none_of_the_boilerplate(
        archive, feed_server):
    for name, page in PAGES.items():
        link = serve_page(feed_server, f"/{name}/story.html", name)
        feed = serve_feed(feed_server, f"/{name}/feed.xml", [("1", page.title, link, page.summary)])
        archive.add_source(name, feed, remove_selectors=list(page.remove_selectors))

    result = archive.cli("run", "--strict", check=0)
    rows = result_rows(result.stdout)
    assert all((row.result, row.new, row.reason) == ("ok", 1, "") for row in rows.values()), rows
    assert summary_line(result.stdout).endswith(f"full text from {len(PAGES)} pages, 0 failed")

    for name, page in PAGES.items():
        assert feed_server.count(f"/{name}/story.html") == 1
        post = post_text(archive, page.title)  # the Jekyll post has the article...
        assert missing_body(page, post) == [], name
        assert boilerplate_in(page, post) == [], name  # ...and nothing around it
    # the raw page is kept as it was fetched, for provenance
    raw = dict(archive.query("SELECT url, raw_html FROM article_pages"))
    assert zlib.decompress(raw[feed_server.url("/blog/story.html")]) == PAGES["blog"].html
    # search finds words that only the page has
    hits = json.loads(archive.cli("search", "短波电台", "--json", check=0).stdout)
    assert [hit["title"] for hit in hits] == [PAGES["bbc-like"].title]


def test_the_site_shows_the_extracted_article(archive, feed_server):
    page = PAGES["english-news"]
    link = serve_page(feed_server, "/story.html", "english-news")
    archive.add_source("Example", serve_feed(feed_server, "/feed.xml",
                                             [("1", page.title, link, page.summary)]))
    archive.cli("fetch", check=0)
    archive.cli("build", check=0)
    showing = [path.read_text(encoding="utf-8") for path in (archive.root / "site").rglob("*.html")
               if "Councillor Amara Quist" in path.read_text(encoding="utf-8")]
    assert len(showing) == 1  # the article's page
    assert missing_body(page, showing[0]) == []
    assert boilerplate_in(page, showing[0].split("<article", 1)[1]) == []


def test_never_never_fetches_always_always_does_and_auto_only_for_summaries(
        archive, feed_server):
    page = PAGES["bbc-like"]
    for mode in ("never", "always", "auto"):
        items = [("summary", f"{mode} 摘要", serve_page(feed_server, f"/{mode}/summary.html",
                                                       "bbc-like"), page.summary),
                 ("cut", f"{mode} 截断", serve_page(feed_server, f"/{mode}/cut.html", "bbc-like"),
                  LONG_ITEM[:-4] + "……</p>"),
                 ("whole", f"{mode} 全文", serve_page(feed_server, f"/{mode}/whole.html",
                                                     "bbc-like"), LONG_ITEM)]
        archive.add_source(mode, serve_feed(feed_server, f"/{mode}/feed.xml", items),
                           full_text=mode)

    archive.cli("fetch", check=0)

    fetched = {path: feed_server.count(path) for mode in ("never", "always", "auto")
               for path in (f"/{mode}/summary.html", f"/{mode}/cut.html", f"/{mode}/whole.html")}
    assert fetched == {
        "/never/summary.html": 0, "/never/cut.html": 0, "/never/whole.html": 0,
        "/always/summary.html": 1, "/always/cut.html": 1, "/always/whole.html": 1,
        "/auto/summary.html": 1, "/auto/cut.html": 1, "/auto/whole.html": 0,
    }
    assert shown_content(archive, "never 摘要") == page.summary
    assert missing_body(page, shown_content(archive, "auto 摘要")) == []
    assert shown_content(archive, "auto 全文") == LONG_ITEM
    # "always" fetched the whole item's page too, but its text is longer than the page's
    assert shown_content(archive, "always 全文") == LONG_ITEM


def test_a_page_that_fails_keeps_the_feed_content_is_reported_and_network_errors_retry(
        archive, feed_server):
    page = PAGES["blog"]
    feed_server.hang("/slow.html")
    feed_server.route("/gone.html", status=404, body=b"not here")
    feed_server.route("/paper.pdf", body=b"%PDF-1.4 not a page", headers={
        "Content-Type": "application/pdf"})
    items = [("ok", "fine", serve_page(feed_server, "/fine.html", "blog"), page.summary),
             ("404", "gone", feed_server.url("/gone.html"), "<p>Gone, but summarized…</p>"),
             ("slow", "slow", feed_server.url("/slow.html"), "<p>Slow to answer…</p>"),
             ("pdf", "pdf", feed_server.url("/paper.pdf"), "<p>A paper…</p>")]
    archive.add_source("博客", serve_feed(feed_server, "/feed.xml", items))

    result = archive.cli("fetch", "--strict", check=0)  # a page is not a failed source
    row = result_rows(result.stdout)["博客"]
    assert (row.result, row.new) == ("ok", 4)
    assert row.reason.startswith("full text: 3 pages failed, the feed's content kept (")
    assert summary_line(result.stdout).endswith("full text from 1 page, 3 failed")
    assert shown_content(archive, "gone") == "<p>Gone, but summarized…</p>"
    assert shown_content(archive, "slow") == "<p>Slow to answer…</p>"
    assert shown_content(archive, "pdf") == "<p>A paper…</p>"
    assert missing_body(page, shown_content(archive, "fine")) == []
    errors = dict(archive.query("SELECT url, error FROM article_pages WHERE error IS NOT NULL"))
    assert "not found (404 status code)" in errors[feed_server.url("/gone.html")]
    assert "timed out" in errors[feed_server.url("/slow.html")]
    assert "not an HTML page (Content-Type: application/pdf)" in errors[
        feed_server.url("/paper.pdf")]
    status = archive.source_status("博客")  # status tells of the pages too
    assert (status["pages_failed"], status["pages_waiting"]) == (3, 1)  # the timeout retries
    assert status["last_page_error"] in errors.values()
    [line] = [line for line in archive.cli("status").stdout.splitlines() if "博客" in line]
    assert " 3 " in line and "full text: " in line and "(1 to try again)" in line

    for _ in range(3):
        archive.cli("fetch", check=0)
    status = archive.source_status("博客")
    assert (status["pages_failed"], status["pages_waiting"]) == (3, 0)
    # a timeout is tried again on the next runs, three attempts in all; a 404 or a PDF is not
    assert [feed_server.count(path) for path in ("/slow.html", "/gone.html", "/paper.pdf",
                                                 "/fine.html")] == [3, 1, 1, 1]


def test_pages_are_not_fetched_again_and_a_changed_item_asks_with_the_page_validators(
        archive, feed_server):
    page = PAGES["zaobao-like"]
    feed_server.conditional("/story.html", page.html, etag='"v1"', headers=HTML)
    link = feed_server.url("/story.html")
    archive.add_source("早报", serve_feed(feed_server, "/feed.xml",
                                        [("1", page.title, link, page.summary)]),
                       remove_selectors=list(page.remove_selectors))
    archive.cli("fetch", check=0)
    archive.cli("fetch", check=0)
    assert feed_server.count("/story.html") == 1
    first = shown_content(archive, page.title)
    assert missing_body(page, first) == []

    serve_feed(feed_server, "/feed.xml", [("1", page.title, link, page.summary + "（更新）")])
    rows = result_rows(archive.cli("fetch", check=0).stdout)
    assert (rows["早报"].updated, rows["早报"].reason) == (1, "")
    assert feed_server.count("/story.html") == 2
    asked = feed_server.last("/story.html").headers
    assert asked["if-none-match"] == '"v1"' and asked["accept"].startswith("text/html")
    assert shown_content(archive, page.title) == first  # 304: the kept page, extracted again
    [(revisions,)] = archive.query("SELECT revisions FROM articles")
    assert revisions == 2  # the feed's versions, as before

    # the item becomes the whole article: the feed's own content is shown, no page asked for
    serve_feed(feed_server, "/feed.xml", [("1", page.title, link, LONG_ITEM)])
    archive.cli("fetch", check=0)
    assert shown_content(archive, page.title) == LONG_ITEM
    assert feed_server.count("/story.html") == 2


def test_a_content_selector_overrides_the_extractor(archive, feed_server):
    page = PAGES["english-news"]
    link = serve_page(feed_server, "/story.html", "english-news")
    archive.add_source("Example", serve_feed(feed_server, "/feed.xml",
                                             [("1", page.title, link, page.summary)]),
                       content_selector="div.story-body", remove_selectors=[".advert-inline"])
    archive.cli("fetch", check=0)
    shown = shown_content(archive, page.title)
    assert "Storm leaves hundreds of homes" in shown  # inside the selection: kept
    assert "Councillors back a plan" not in shown  # outside: not
    assert "Advertisement" not in shown  # removed


def test_a_wrong_css_selector_is_a_configuration_error(archive):
    archive.add_source("Example", "https://example.org/feed.xml", content_selector="div[")
    result = archive.cli("fetch", check=2)
    assert "content_selector" in result.stderr and "not a CSS selector" in result.stderr



def test_an_article_page_on_a_loopback_address_is_refused_without_the_setting(
        archive, feed_server, monkeypatch):
    """The feed is the user's (loopback allowed); its item's link is untrusted content."""
    monkeypatch.delenv("NEWSVAULT_ALLOW_PRIVATE")
    page = PAGES["blog"]
    link = serve_page(feed_server, "/story.html", "blog")
    archive.add_source("博客", serve_feed(feed_server, "/feed.xml",
                                          [("1", page.title, link, page.summary)]))
    result = archive.cli("fetch", "--strict", check=0)
    assert feed_server.count("/feed.xml") == 1 and feed_server.count("/story.html") == 0
    row = result_rows(result.stdout)["博客"]
    assert (row.result, row.new) == ("ok", 1)
    assert "blocked" in row.reason and "127.0.0.1" in row.reason
    assert shown_content(archive, page.title) == page.summary


def test_posts_carry_the_clean_page_and_raw_posts_the_feed_item(archive, feed_server):
    page = PAGES["blog"]
    link = serve_page(feed_server, "/story.html", "blog")
    archive.add_source("博客", serve_feed(feed_server, "/feed.xml",
                                          [("1", page.title, link, page.summary)]))
    archive.cli("fetch", check=0)
    archive.cli("export", "jekyll", "--raw", "--out", str(archive.root / "raw"), check=0)
    [raw] = (archive.root / "raw").iterdir()
    assert raw.read_text(encoding="utf-8").endswith(f"<div>\n{page.summary}\n</div>\n")
    archive.cli("export", "jekyll", check=0)
    post = post_text(archive, page.title)
    assert missing_body(page, post) == [] and page.summary not in post


def test_fetch_warc_records_the_article_pages_too(archive, feed_server):
    from warcio.archiveiterator import ArchiveIterator

    page = PAGES["blog"]
    link = serve_page(feed_server, "/story.html", "blog")
    archive.add_source("博客", serve_feed(feed_server, "/feed.xml",
                                          [("1", page.title, link, page.summary)]))
    archive.cli("fetch", "--warc", check=0)
    payloads = {}
    for path in (archive.root / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            payloads.update((record.rec_headers.get_header("WARC-Target-URI"),
                             record.content_stream().read())
                            for record in ArchiveIterator(stream) if record.rec_type == "response")
    assert payloads[link] == page.html and feed_server.url("/feed.xml") in payloads


def test_a_site_that_cannot_be_reached_is_given_up_for_the_run_after_three_failures(
        tmp_path, feed_server):
    """No DNS answer (the tests resolve loopback names only): three pages fail, the others
    wait for the next run instead of each waiting for its own timeout. One request per host
    at a time, so that no page is already in flight when the third failure comes."""
    archive = ArchiveDir.create(tmp_path / "news", fetch={**FAST_FETCH, "per_host": 1},
                                build=NO_SITE)
    items = [(str(n), f"摘要 {n}", f"https://unreachable.example/{n}.html", "<p>摘要……</p>")
             for n in range(10)]
    archive.add_source("远方", serve_feed(feed_server, "/feed.xml", items))
    result = archive.cli("fetch", "--strict", check=0)
    assert result_rows(result.stdout)["远方"].new == 10
    errors = [error for (error,) in archive.query("SELECT error FROM article_pages")]
    assert len(errors) == 10
    given_up = [error for error in errors if "unreachable.example unreachable in this run" in error]
    assert len(given_up) == 7, errors
    assert all("host name not found" in error for error in errors if error not in given_up)
    assert archive.query("SELECT COUNT(*) FROM page_queue") == [(10,)]  # tried again next run
