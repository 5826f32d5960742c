"""The XSS corpus (support/xss.py) as a reader meets it: served by a loopback feed, fetched,
stored and built by the real CLI, each article page opened in headless Chromium (Debian's,
/usr/bin/chromium) under ``newsvault serve``. Nothing may execute: no dialog, no
``XSS-FIRED`` on the console, no request to the leak host, and no request off the page's
origin but the article's own images (hot-linked by design) and the YouTube player.

Two more kinds of page make the test able to fail, and tell the sanitizer's part from the
CSP's: each payload as raw HTML in a page without any Content-Security-Policy (the control:
what runs there proves the watchers see it), and the articles' clean HTML in such a page
(the sanitizer alone is enough)."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.cli import FAST_FETCH, ArchiveDir
from support.xss import LEAK_HOST, PAYLOADS

from newsvault.content.sanitize import VIDEO_HOSTS
from test_serve import serving

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = Path("/usr/bin/chromium")
NOW = "2022-01-27T09:36:52.404Z"
MARKER = "XSS-FIRED"
# payloads that run by themselves (no click) in a page without a sanitizer or a CSP: about
# 30 do, these at once, every time
SELF_FIRING = {"script", "script-upper", "script-src", "body-onload", "img-onerror",
               "svg-onload", "iframe-evil", "iframe-srcdoc", "meta-refresh", "style-element",
               "style-attribute", "object", "embed"}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium: apt-get install -y chromium")


@dataclass
class Watch:
    """What one page did: dialogs, console markers, requests (URL, resource type)."""

    dialogs: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def leaked(self) -> list[str]:
        return [url for url, _ in self.requests if urlsplit(url).hostname == LEAK_HOST]

    @property
    def fired(self) -> bool:
        return bool(self.dialogs or self.markers or self.leaked)


class Watcher:
    """Pages in one browser context; requests leave only for 127.0.0.1 (the rest are
    recorded and aborted: nothing reaches the network)."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.context.route("**/*", self._route)
        self.watch = Watch()
        self.page = self._new_page()

    def _route(self, route):
        request = route.request
        self.watch.requests.append((request.url, request.resource_type))
        if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    def load(self, load, new_page: bool = False) -> Watch:
        """What ``load(page)`` did. One page serves every load (opening one costs more than
        what is measured here), unless ``new_page``: then nothing a page left running can
        be taken for the next one's."""
        if new_page:
            self.page.close()
            self.page = self._new_page()
        watch = self.watch = Watch()
        load(self.page)
        self.page.wait_for_timeout(100)  # for a meta refresh or an error handler to have its turn
        return watch

    def _new_page(self):
        page = self.context.new_page()
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        return page

    def _dialog(self, dialog) -> None:
        self.watch.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        if MARKER in message.text:
            self.watch.markers.append(message.text)


@pytest.fixture
def watcher(browser):
    watcher = Watcher(browser)
    yield watcher
    watcher.context.close()


def xss_feed(feed_server) -> bytes:
    items = "".join(
        f"<item><title>XSS {name}</title><link>{feed_server.url(f'/post/{name}')}</link>"
        f"<guid>{name}</guid><pubDate>Thu, 27 Jan 2022 0{n % 9}:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>正文</p>{html}]]></description></item>"
        for n, (name, html) in enumerate(PAYLOADS))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>XSS</title>{items}</channel></rss>").encode()


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    from support.server import FeedServer

    with FeedServer() as feed_server:
        feed_server.route("/feed.xml", body=xss_feed(feed_server),
                          headers={"Content-Type": "application/rss+xml"})
        news = ArchiveDir.create(tmp_path_factory.mktemp("xss") / "news", fetch=FAST_FETCH)
        news.add_source("XSS", feed_server.url("/feed.xml"))
        news.cli("fetch", "--strict", now=NOW, check=0)
        news.cli("build", now=NOW, check=0)
        pages = {}
        for path in (news.root / "site").glob("20*/*/index.html"):
            text = path.read_text(encoding="utf-8")
            title = text[text.index("<h1>") + 4:text.index("</h1>")]
            content = text[text.index('<div class="content">') + 21:text.index("</article>")]
            pages[title.removeprefix("XSS ")] = (path, content[:content.rindex("</div>")])
        assert set(pages) == {name for name, _ in PAYLOADS}
        yield news, feed_server, pages


def test_no_payload_runs_on_its_built_article_page(xss_site, watcher):
    news, feed_server, pages = xss_site
    feed_origin = urlsplit(feed_server.url("/")).netloc
    with serving(news.root) as site_url:
        site_origin = urlsplit(site_url).netloc
        for name, _ in PAYLOADS:
            path = pages[name][0].relative_to(news.root / "site").as_posix()
            watch = watcher.load(lambda page: page.goto(site_url + path))
            assert not watch.fired, (name, watch)
            for url, kind in watch.requests:
                parts = urlsplit(url)
                if parts.netloc == site_origin:
                    continue
                hot_linked_image = kind == "image" and parts.netloc == feed_origin
                video = kind == "document" and parts.hostname in VIDEO_HOSTS  # an iframe
                assert hot_linked_image or video, (name, url, kind)


def test_the_clean_html_alone_runs_nothing_and_leaves_only_safe_links(xss_site, watcher):
    """Every article's clean HTML in one page without a CSP: nothing runs, and every link,
    frame and image left is one the browser itself reads as http(s) (or mailto)."""
    _, _, pages = xss_site
    everything = "".join(content for _, content in pages.values())
    found = {}

    def load(page):
        page.set_content(f"<!doctype html><html><body>{everything}</body></html>")
        found["links"] = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => new URL(a.href).protocol)")
        found["frames"] = page.eval_on_selector_all(
            "iframe", "frames => frames.map(f => new URL(f.src).hostname)")
        found["images"] = page.eval_on_selector_all(
            "img", "images => images.map(i => new URL(i.src).protocol)")

    watch = watcher.load(load)
    assert not watch.fired, watch
    assert set(found["links"]) <= {"http:", "https:", "mailto:"} and found["links"]
    assert set(found["frames"]) <= VIDEO_HOSTS and found["frames"]
    assert set(found["images"]) == {"http:"}


def test_the_control_without_sanitizer_or_csp_does_fire(watcher):
    """The watchers are not blind: the raw payloads, in a page with nothing to stop them."""
    fired = set()
    for name, html in PAYLOADS:
        if name not in SELF_FIRING:
            continue  # a new page for each is slow: these make the point
        watch = watcher.load(lambda page: page.set_content(
            f"<!doctype html><html><body><p>正文</p>{html}</body></html>"), new_page=True)
        if watch.fired:
            fired.add(name)
    assert SELF_FIRING <= fired, sorted(SELF_FIRING - fired)
