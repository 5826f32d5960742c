"""The site as a reader uses it: headless Chromium (Debian's, /usr/bin/chromium) driven by
Playwright, against ``newsvault serve`` and straight from disk. Screenshots are saved in
test-artifacts/site/. No request may leave 127.0.0.1 (or, from disk, file://), and the
console must stay free of errors."""

import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from newsvault.site import build_archive_site
from site_support import DAY_MS, START_MS, WINTER_GAMES_TITLE
from test_build import article_page
from test_serve import serving

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "site"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium: apt-get install -y chromium")


class Watched:
    """A page whose requests outside ``allowed`` are blocked and recorded, with its console
    errors."""

    def __init__(self, browser, allowed: set[str]):
        self.context = browser.new_context(viewport={"width": 420, "height": 860})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error"
                     and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", self._request)
        self.allowed = allowed

    def _route(self, route):
        if self._leaves(route.request.url):
            self.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def _request(self, request):
        if self._leaves(request.url) and request.url not in self.outside:
            self.outside.append(request.url)

    def _leaves(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in ("data", "blob") and (
            parts.scheme not in self.allowed if parts.scheme == "file" or not parts.hostname
            else parts.hostname not in self.allowed)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=False)

    def h1(self) -> str:
        return self.page.locator("h1").first.inner_text()


def test_a_reader_browses_and_searches_the_served_site(small_archive, browser):
    pytest.importorskip("newsvault.search")
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        reader = Watched(browser, allowed={"127.0.0.1"})
        page = reader.page
        page.goto(url)
        assert page.title() == "测试站"
        reader.shot("1-home.png")
        page.locator("ul.list a").nth(1).click()
        assert reader.h1() == "晨报的第120篇报道"
        reader.shot("2-article.png")
        page.locator("a[rel=next]").first.click()
        assert reader.h1() == WINTER_GAMES_TITLE
        reader.shot("3-next-article.png")
        page.locator("header.bar nav a").last.click()  # 搜索
        page.fill("input[name=q]", "冬奥")
        page.press("input[name=q]", "Enter")
        first_hit = page.locator("#search-results li a").first
        first_hit.wait_for()
        assert first_hit.inner_text() == WINTER_GAMES_TITLE
        assert page.locator("#search-results mark").first.inner_text() == "冬奥"
        reader.shot("4-search.png")
        first_hit.click()
        assert reader.h1() == WINTER_GAMES_TITLE
        reader.shot("5-search-hit.png")
        reader.context.close()
    assert reader.outside == []
    assert reader.errors == []


def test_a_built_article_reads_from_disk(small_archive, browser):
    build_archive_site(small_archive.archive)
    reader = Watched(browser, allowed={"file"})
    page = reader.page
    page.goto(article_page(small_archive.site, "晨报的第120篇报道").as_uri())
    assert reader.h1() == "晨报的第120篇报道"
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"  # the CSS
    reader.shot("6-from-disk.png")
    page.locator("a[rel=next]").first.click()
    assert reader.h1() == WINTER_GAMES_TITLE
    page.locator("a[href='#versions']").click()  # what it said before its two edits
    earlier = page.locator("#versions details").first
    assert not earlier.locator(".content").is_visible()
    earlier.locator("summary").click()
    assert earlier.locator(".content").inner_text().strip() == "旧稿 1"
    reader.shot("7-earlier-version.png")
    page.locator("a.brand").click()
    assert page.url.endswith("/site/index.html") and page.locator("ul.list li").count() == 50
    page.locator("header.bar nav a").last.click()  # the search page says what it needs
    assert "newsvault serve" in page.locator("#search-status").inner_text()
    reader.context.close()
    assert reader.outside == []
    assert reader.errors == []


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def static_host(folder: Path):
    """A plain static web server (like GitHub Pages: files only, no /api/search) for
    ``folder`` on 127.0.0.1; yields its URL."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def test_search_works_on_a_static_host_under_a_sub_path(small_archive, browser):
    build_archive_site(small_archive.archive)  # into <archive>/site: served as /site/
    with static_host(small_archive.archive.root) as url:
        reader = Watched(browser, allowed={"127.0.0.1"})
        page = reader.page
        page.goto(url + "site/search/index.html?q=" + quote("冬奧"))  # Traditional 奧
        first_hit = page.locator("#search-results li a").first
        first_hit.wait_for()
        assert first_hit.inner_text() == WINTER_GAMES_TITLE
        assert page.locator("#search-results mark").first.inner_text() == "冬奥"
        assert page.locator("#search-results li").count() == 1
        first_hit.click()
        assert reader.h1() == WINTER_GAMES_TITLE
        page.go_back()
        page.fill("input[name=q]", "冬")  # one character: bigrams need two
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**q=%E5%86%AC")
        sync_api.expect(page.locator("#search-status")).to_contain_text("两个")
        reader.context.close()
    assert reader.outside == []
    assert reader.errors == []


def test_words_of_other_scripts_are_found_whatever_their_case(small_archive, browser):
    """search.js hashes a query's words as search/bigrams.py hashed the articles' words."""
    small_archive.add("周刊", "Notes from Zürich", "<p>Ein Bericht aus Zürich, Москва и Αθήνα.</p>",
                      START_MS + 200 * DAY_MS)
    build_archive_site(small_archive.archive)
    with static_host(small_archive.archive.root) as url:
        reader = Watched(browser, allowed={"127.0.0.1"})
        for query in ("ZÜRICH", "москва αθήνα", "zürich Москва"):
            reader.page.goto(url + "site/search/index.html?q=" + quote(query))
            first_hit = reader.page.locator("#search-results li a").first
            first_hit.wait_for()
            assert first_hit.inner_text() == "Notes from Zürich", query
            assert reader.page.locator("#search-results li").count() == 1, query
        reader.context.close()
    assert reader.outside == [] and reader.errors == []


def test_the_server_fallback_links_no_unsafe_original(small_archive, browser):
    build_archive_site(small_archive.archive)
    (small_archive.site / "search-index/index.json").unlink()  # built before the index
    hits = ('[{"title": "脚本链接", "url": "javascript:alert(1)", "source": "晨报",'
            ' "published": "2022-01-01T00:00:00Z", "snippet": "", "page": null},'
            ' {"title": "无页面", "url": "https://news.example/1", "source": "晨报",'
            ' "published": "2022-01-01T00:00:00Z", "snippet": "", "page": null}]')
    with serving(small_archive.archive.root) as url:
        reader = Watched(browser, allowed={"127.0.0.1"})
        reader.context.route("**/api/search*", lambda route: route.fulfill(
            status=200, content_type="application/json", body=hits))
        page = reader.page
        page.goto(url + "search/index.html?q=" + quote("冬奥"))
        page.locator("#search-results li").nth(1).wait_for()
        items = page.locator("#search-results li")
        assert items.nth(0).locator("a").count() == 0
        assert "脚本链接" in items.nth(0).inner_text()
        assert items.nth(1).locator("a").get_attribute("href") == "https://news.example/1"
        reader.context.close()
