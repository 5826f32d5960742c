"""After the source server is shut down, every article's images still load from the built
site: headless Chromium (Debian's /usr/bin/chromium) on `newsvault serve` and on file://,
no broken image, no request leaving the site."""

import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from media_support import image_bytes, rss
from support.cli import FAST_FETCH, NO_SITE, ArchiveDir, cli_env
from support.server import FeedServer

from newsvault.site.builder import article_pages

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium: apt-get install -y chromium")

NOW = "2022-01-28T00:00:00Z"


@contextmanager
def serving(archive_root: Path):
    """``newsvault serve --port 0`` in a process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(archive_root), "serve", "--port",
         "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert " at http://127.0.0.1:" in line, f"serve said: {line!r}"
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def archived_with_images(tmp_path: Path) -> tuple[ArchiveDir, int]:
    """An archive whose articles show PNG, JPEG and GIF images (one of them in two
    articles, one through srcset), fetched from a loopback server that is then shut down.
    Returns it and how many images its pages show."""
    red = image_bytes("PNG", (120, 80), (200, 30, 30))
    with FeedServer() as server:
        server.route("/img/red.png", body=red, headers={"Content-Type": "image/png"})
        server.route("/img/photo.jpg", body=image_bytes("JPEG", (90, 60), (20, 90, 200)),
                     headers={"Content-Type": "image/jpeg"})
        server.route("/img/small.gif", body=image_bytes("GIF", (30, 30), (20, 160, 20)),
                     headers={"Content-Type": "image/gif"})
        server.route("/img/big.gif", body=image_bytes("GIF", (60, 60), (20, 160, 20)),
                     headers={"Content-Type": "image/gif"})
        server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"}, body=rss([
            ("红图", server.url("/a/1.html"), '<p>一</p><img src="/img/red.png" alt="红">'),
            ("照片", server.url("/a/2.html"),
             '<figure><img src="../img/photo.jpg"><figcaption>照片</figcaption></figure>'
             f'<p><img src="{server.url("/img/red.png")}"></p>'),
            ("动图", server.url("/a/3.html"),
             '<img srcset="/img/small.gif 1x, /img/big.gif 2x" src="/img/small.gif">'),
        ]))
        archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)
        archive.add_source("图片报", server.url("/feed.xml"))
        archive.cli("fetch", "--strict", check=0, env=cli_env(NOW, NEWSVAULT_ALLOW_PRIVATE="1"))
        source_url = server.url("/img/red.png")
    with pytest.raises(urllib.error.URLError):  # the source is gone
        urllib.request.urlopen(source_url, timeout=5)
    archive.cli("build", check=0)
    return archive, 4


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def images_on(browser, url: str, allowed: str) -> tuple[list[dict], list[str]]:
    """The page's images (src, naturalWidth) once loaded, and every request that did not
    start with ``allowed``."""
    context = browser.new_context()
    outside: list[str] = []
    context.on("request", lambda request: None if request.url.startswith(allowed)
               or request.url.startswith("data:") else outside.append(request.url))
    page = context.new_page()
    page.goto(url, wait_until="load")
    # the clean HTML's images are loading="lazy": they do not hold the load event back.
    # A function, not an expression: Playwright evals an expression at every poll, which
    # the site's CSP (no 'unsafe-eval') refuses once polling leaves the first evaluation.
    page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
    images = page.evaluate("""() => Array.from(document.images).map(image => ({
        src: image.currentSrc || image.src, width: image.naturalWidth}))""")
    context.close()
    return images, outside


def test_every_image_loads_after_the_source_is_gone(tmp_path, browser):
    archive, shown = archived_with_images(tmp_path)
    site = archive.root / "site"
    pages = sorted(article_pages(site).values())
    assert len(pages) == 3
    seen = 0
    with serving(archive.root) as url:
        for path in pages:
            images, outside = images_on(browser, url + path, url)
            assert images and all(image["width"] > 0 for image in images), (path, images)
            assert all(image["src"].startswith(url + "assets/media/") for image in images)
            assert outside == []
            seen += len(images)
    assert seen == shown
    for path in pages:  # and straight from disk
        images, outside = images_on(browser, (site / path).as_uri(), "file://")
        assert images and all(image["width"] > 0 for image in images), (path, images)
        assert outside == []
