"""`newsvault fetch` downloads the images articles show, stores each file once by SHA-256,
reports what failed (keeping the remote URL), and `build`/`export jekyll` point at the
local copies. Real processes, a real loopback server, real image bytes."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from media_support import image_bytes, rss
from support.cli import FAST_FETCH, NO_SITE, ArchiveDir, cli_env

from newsvault.site.builder import article_pages

NOW = "2022-01-28T00:00:00Z"
RED = image_bytes("PNG", (40, 30), (200, 0, 0))
PHOTO = image_bytes("JPEG", (64, 48), (0, 120, 200))
ANIM = image_bytes("GIF", (16, 16), (0, 160, 0))


def allowing_private(**extra):
    return cli_env(NOW, NEWSVAULT_ALLOW_PRIVATE="1", **extra)


def guarded():
    env = cli_env(NOW)
    env.pop("NEWSVAULT_ALLOW_PRIVATE", None)
    return env


def serve_images(server) -> None:
    png, jpeg, gif = ({"Content-Type": kind} for kind in ("image/png", "image/jpeg", "image/gif"))
    server.route("/img/red.png", body=RED, headers=png)
    server.route("/img/same-as-red.png", body=RED, headers=png)
    server.route("/img/photo.jpg", body=PHOTO, headers={"Content-Type": "application/octet-stream"})
    server.route("/img/anim.gif", body=ANIM, headers=gif)
    server.route("/img/missing.png", status=404, body=b"gone")
    server.huge("/img/huge.png", 200_000)
    server.route("/img/page.png", body=b"<!doctype html><p>an error page</p>",
                 headers={"Content-Type": "text/html; charset=utf-8"})


def three_articles(server) -> bytes:
    return rss([
        ("第一篇", server.url("/news/1.html"),
         '<p>一</p><img src="/img/red.png" alt="红"><img src="../img/photo.jpg" alt="照片">'),
        ("第二篇", server.url("/news/2.html"),
         f'<p>二</p><img src="{server.url("/img/red.png")}"><img src="/img/same-as-red.png">'
         '<picture><source srcset="/img/anim.gif 1x"><img src="/img/anim.gif"></picture>'),
        ("第三篇", server.url("/news/3.html"),
         '<p>三</p><img src="/img/missing.png"><img src="/img/huge.png">'
         '<img src="/img/page.png"><img src="/img/red.png">'),
    ])


@pytest.fixture
def fetched(feed_server, tmp_path):
    """An archive that fetched the three articles, loopback images allowed."""
    serve_images(feed_server)
    feed_server.route("/feed.xml", body=three_articles(feed_server),
                      headers={"Content-Type": "application/rss+xml"})
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"max_file_mb": 0.05})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    result = archive.cli("fetch", check=0, env=allowing_private())
    return archive, result


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_images_are_stored_once_by_sha256_and_failures_reported(fetched, feed_server):
    archive, result = fetched
    stored = sorted(path.relative_to(archive.root).as_posix()
                    for path in (archive.root / "assets" / "media").rglob("*") if path.is_file())
    assert stored == sorted([f"assets/media/{sha(RED)[:2]}/{sha(RED)}.png",
                             f"assets/media/{sha(PHOTO)[:2]}/{sha(PHOTO)}.jpg",
                             f"assets/media/{sha(ANIM)[:2]}/{sha(ANIM)}.gif"])
    for relative in stored:  # named by the hash of what is inside
        assert sha((archive.root / relative).read_bytes()) == Path(relative).stem
    for path in ("/img/red.png", "/img/same-as-red.png", "/img/photo.jpg", "/img/anim.gif"):
        assert feed_server.count(path) == 1, path  # two articles show red.png: fetched once
    assert "images: 4 downloaded" in result.stdout and "3 new files" in result.stdout
    failures = dict(re.findall(r"^image failed: (\S+): (.*)$", result.stdout, re.M))
    assert set(failures) == {feed_server.url(p) for p in
                             ("/img/missing.png", "/img/huge.png", "/img/page.png")}
    assert "404" in failures[feed_server.url("/img/missing.png")]
    assert "too large" in failures[feed_server.url("/img/huge.png")]
    assert failures[feed_server.url("/img/page.png")] == "not an image (text/html)"
    media = archive.status()["media"]
    assert (media["ok"], media["failed"], media["pending"], media["files"]) == (4, 3, 0, 3)
    assert media["stored_bytes"] == len(RED) + len(PHOTO) + len(ANIM)
    assert media["referenced_bytes"] == 4 * len(RED) + len(PHOTO) + len(ANIM)


def test_a_second_fetch_downloads_nothing_again_and_retries_only_what_may_heal(fetched,
                                                                              feed_server):
    archive, _ = fetched
    again = archive.cli("fetch", check=0, env=allowing_private())
    for path in ("/img/red.png", "/img/same-as-red.png", "/img/photo.jpg", "/img/anim.gif",
                 "/img/page.png"):
        assert feed_server.count(path) == 1, path
    assert feed_server.count("/img/missing.png") == 2  # a 404 may heal: tried again
    assert "images: 0 downloaded" in again.stdout
    archive.cli("fetch", check=0, env=allowing_private())
    archive.cli("fetch", check=0, env=allowing_private())
    assert feed_server.count("/img/missing.png") == 3  # media.max_attempts = 3 in all
    assert archive.query("SELECT attempts FROM media WHERE url LIKE '%missing.png'") == [(3,)]


def test_pages_and_posts_point_at_the_local_copies(fetched, feed_server, tmp_path):
    archive, _ = fetched
    archive.cli("build", check=0)
    site = archive.root / "site"
    pages = article_pages(site)
    by_title = {}
    for path in pages.values():
        html = (site / path).read_text(encoding="utf-8")
        by_title[re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()] = (path, html)
    path, html = by_title["第三篇"]
    up = "../" * path.count("/")
    red = f"assets/media/{sha(RED)[:2]}/{sha(RED)}.png"
    # the clean HTML (absolute URLs, lazy images), then the stored images made local
    assert f'<img src="{up}{red}" loading="lazy"' in html
    assert (site / red).read_bytes() == RED
    missing = feed_server.url("/img/missing.png")
    assert f'<img src="{missing}"' in html  # failed: the remote URL is kept
    path, html = by_title["第二篇"]
    assert f'<img src="{up}assets/media/{sha(ANIM)[:2]}/{sha(ANIM)}.gif"' in html
    assert feed_server.url("/img/red.png") not in html

    jekyll = tmp_path / "jekyll"
    archive.cli("export", "jekyll", "--out", str(jekyll / "_posts"), check=0)
    posts = "".join(p.read_text(encoding="utf-8") for p in (jekyll / "_posts").glob("*.md"))
    assert "{{ site.baseurl }}/" + red in posts and missing in posts
    assert (jekyll / red).read_bytes() == RED
    archive.cli("export", "jekyll", "--raw", "--out", str(tmp_path / "raw"), check=0)
    raw = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "raw").glob("*.md"))
    assert "assets/media" not in raw and 'src="/img/red.png"' in raw
    archive.cli("export", "jekyll", "--assets", "remote", "--out", str(tmp_path / "remote"),
                check=0)
    remote = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "remote").glob("*.md"))
    assert "assets/media" not in remote
    archive.cli("build", "--assets", "remote", "--out", str(tmp_path / "remote-site"), check=0)
    remote_page = (tmp_path / "remote-site" / by_title["第三篇"][0]).read_text(encoding="utf-8")
    assert "assets/media" not in remote_page
    assert f'src="{feed_server.url("/img/red.png")}"' in remote_page


def test_an_image_on_a_loopback_address_is_refused_without_the_setting(feed_server, tmp_path):
    feed_server.route("/img/red.png", body=RED, headers={"Content-Type": "image/png"})
    feed_server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"}, body=rss([
        ("内网图", feed_server.url("/news/1.html"), f'<img src="{feed_server.url("/img/red.png")}">'),
    ]))
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)
    archive.add_source("图片报", feed_server.url("/feed.xml"))  # a configured feed: allowed
    result = archive.cli("fetch", "--strict", check=0, env=guarded())
    assert f"image failed: {feed_server.url('/img/red.png')}: blocked: 127.0.0.1" in result.stdout
    assert feed_server.count("/img/red.png") == 0 and feed_server.count("/feed.xml") == 1
    assert not (archive.root / "assets").exists()
    archive.cli("fetch", check=0, env=guarded())  # refused for good: not tried again
    assert archive.query("SELECT status, attempts FROM media") == [("failed", 3)]
    archive.cli("build", check=0)
    page = next(iter(article_pages(archive.root / "site").values()))
    html = (archive.root / "site" / page).read_text(encoding="utf-8")
    assert f'<img src="{feed_server.url("/img/red.png")}"' in html


def test_images_can_be_left_alone(feed_server, tmp_path):
    serve_images(feed_server)
    feed_server.route("/feed.xml", body=three_articles(feed_server),
                      headers={"Content-Type": "application/rss+xml"})
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"download": False})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    archive.cli("fetch", check=0, env=allowing_private())
    archive.cli("fetch", "--no-images", check=0, env=allowing_private())
    assert feed_server.count("/img/*") == 0
    result = archive.cli("media", check=0, env=allowing_private())  # on demand
    assert "images: 4 downloaded" in result.stdout
    assert json.loads(archive.cli("status", "--json", check=0).stdout)["media"]["ok"] == 4


def test_posts_exported_with_local_images_come_back_through_import(fetched, tmp_path):
    """The GitHub Actions flow: the database is lost, the archive is rebuilt from the
    committed posts (and assets/media/ beside them); pages still show the stored copies."""
    archive, _ = fetched
    rebuilt = ArchiveDir.create(tmp_path / "rebuilt", fetch=FAST_FETCH, build=NO_SITE)
    archive.cli("export", "jekyll", "--out", str(rebuilt.root / "_posts"), check=0)
    rebuilt.cli("import", "jekyll", str(rebuilt.root / "_posts"), check=0)
    tried = rebuilt.cli("media", check=0, env=guarded()).stdout
    failed = set(re.findall(r"^image failed: \S+/img/(\S+):", tried, re.M))
    assert failed == {"missing.png", "huge.png", "page.png"}  # only those never stored
    rebuilt.cli("build", check=0)
    site = rebuilt.root / "site"
    red = f"assets/media/{sha(RED)[:2]}/{sha(RED)}.png"
    shown = 0
    for path in article_pages(site).values():
        html = (site / path).read_text(encoding="utf-8")
        assert "{{" not in html
        shown += html.count(f'src="{"../" * path.count("/")}{red}"')
    assert shown == 4 and (site / red).read_bytes() == RED


def test_a_rebuilt_archive_fetching_the_same_feed_finds_nothing_revised(fetched, feed_server,
                                                                        tmp_path):
    """The same flow, then the hourly run: the posts hold the clean HTML with images
    relinked, the feed its own HTML; one article each, unrevised, posts untouched."""
    archive, _ = fetched
    rebuilt = ArchiveDir.create(tmp_path / "rebuilt", fetch=FAST_FETCH, build=NO_SITE)
    posts = rebuilt.root / "_posts"
    archive.cli("export", "jekyll", "--out", str(posts), check=0)
    rebuilt.add_source("图片报", feed_server.url("/feed.xml"))
    rebuilt.cli("import", "jekyll", str(posts), check=0)
    before = {path.name: path.read_bytes() for path in posts.iterdir()}
    result = rebuilt.cli("run", check=0, env=allowing_private())
    assert "0 new articles, 0 updated" in result.stdout, result.stdout
    assert {path.name: path.read_bytes() for path in posts.iterdir()} == before
    totals = rebuilt.status()["totals"]
    assert totals["versions"] == totals["articles"] == len(before) == 3


def test_a_run_tries_at_most_max_per_run_images_and_the_next_ones_go_on(feed_server, tmp_path):
    serve_images(feed_server)
    feed_server.route("/feed.xml", body=three_articles(feed_server),
                      headers={"Content-Type": "application/rss+xml"})
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"max_per_run": 2, "max_file_mb": 0.05})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    archive.cli("fetch", check=0, env=allowing_private())
    assert len(feed_server.requests("/img/*")) == 2
    assert archive.status()["media"]["pending"] == 5  # 7 image URLs in all
    pending = [5]
    for _ in range(5):
        archive.cli("media", check=0, env=allowing_private())
        pending.append(archive.status()["media"]["pending"])
    assert pending == [5, 3, 1, 0, 0, 0]  # never tried first; then the 404, tried again
    assert archive.status()["media"]["ok"] == 4
    assert feed_server.count("/img/missing.png") == 3


def test_fetch_warc_records_the_image_downloads_too(feed_server, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    serve_images(feed_server)
    feed_server.route("/feed.xml", body=three_articles(feed_server),
                      headers={"Content-Type": "application/rss+xml"})
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"max_file_mb": 0.05})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    archive.cli("fetch", "--warc", check=0, env=allowing_private())
    payloads = {}
    for path in (archive.root / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    payloads[record.rec_headers.get_header("WARC-Target-URI")] = \
                        record.content_stream().read()
    assert payloads[feed_server.url("/img/red.png")] == RED
    assert payloads[feed_server.url("/img/photo.jpg")] == PHOTO
    assert feed_server.url("/img/missing.png") in payloads  # the 404 as it came back
    assert feed_server.url("/feed.xml") in payloads


def test_the_images_of_an_extracted_page_are_stored_too(feed_server, tmp_path):
    """A summary-only item shows its page's content (full text): the page's images are the
    ones kept, not only the feed's."""
    serve_images(feed_server)
    story = ("<p>" + "正文里有一张照片，下面是它的说明和更多的报道内容。" * 12 + "</p>"
             '<figure><img data-src="/img/photo.jpg" src="/img/grey.gif" alt="照片">'
             "<figcaption>照片说明</figcaption></figure>")
    feed_server.route("/news/4.html", headers={"Content-Type": "text/html; charset=utf-8"},
                      body=(f"<html><body><nav>导航</nav><article><h1>第四篇</h1>{story}"
                            "</article></body></html>").encode())
    feed_server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"},
                      body=rss([("第四篇", feed_server.url("/news/4.html"), "<p>摘要……</p>")]))
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)
    archive.add_source("图片报", feed_server.url("/feed.xml"), content_selector="article")
    archive.cli("fetch", "--strict", check=0, env=allowing_private())
    assert feed_server.count("/img/photo.jpg") == 1
    archive.cli("build", check=0)
    [page] = article_pages(archive.root / "site").values()
    html = (archive.root / "site" / page).read_text(encoding="utf-8")
    assert f'assets/media/{sha(PHOTO)[:2]}/{sha(PHOTO)}.jpg"' in html and "照片说明" in html


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_host_is_asked_once_a_run_and_its_other_images_wait(feed_server,
                                                                            tmp_path):
    serve_images(feed_server)
    dead = f"http://127.0.0.2:{closed_port()}"  # refuses every connection
    feed_server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"}, body=rss([
        ("死链", feed_server.url("/news/1.html"),
         "".join(f'<img src="{dead}/img/{n}.png">' for n in range(6))
         + '<img src="/img/red.png">'),
    ]))
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"concurrency": 1})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    result = archive.cli("fetch", check=0, env=allowing_private())
    assert "images: 1 downloaded" in result.stdout and "1 failed" in result.stdout
    assert "5 left for the next run (host unreachable)" in result.stdout
    assert "images: cannot reach 127.0.0.2" in result.stdout
    attempts = archive.query("SELECT attempts FROM media WHERE url LIKE ? ORDER BY attempts",
                             f"{dead}/%")
    assert attempts == [(0,)] * 5 + [(1,)]  # the five that waited lost no attempt
    # still down on the next run: again one image of that host is tried, the others wait
    again = archive.cli("media", check=0, env=allowing_private())
    assert "1 failed, 5 left for the next run" in again.stdout
    assert archive.query("SELECT SUM(attempts) FROM media WHERE url LIKE ?",
                         f"{dead}/%") == [(2,)]


def test_when_the_first_hosts_are_all_unreachable_every_image_waits(feed_server, tmp_path):
    from newsvault.pipeline.media import NETWORK_DOWN_AFTER

    port = closed_port()
    hosts = [f"127.0.0.{n}" for n in range(2, 2 + NETWORK_DOWN_AFTER + 4)]
    feed_server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"}, body=rss([
        ("离线", feed_server.url("/news/1.html"),
         "".join(f'<img src="http://{host}:{port}/img/a.png">' for host in hosts)),
    ]))
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE,
                                media={"concurrency": 1})
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    result = archive.cli("fetch", check=0, env=allowing_private())
    # the network was down: even the images tried wait, and keep their attempts
    assert "0 failed, 9 left for the next run (host unreachable)" in result.stdout
    assert archive.query("SELECT COUNT(*), SUM(attempts) FROM media") == [(9, 0)]


def test_the_picture_a_text_item_gives_beside_it_is_stored_and_shown(feed_server, tmp_path):
    # a text-only article whose only picture is its enclosure, as many outlets send them
    feed_server.route("/img/lead.jpg", body=PHOTO, headers={"Content-Type": "image/jpeg"})
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>图片报</title>'
            f"<item><title>只有文字</title><link>{feed_server.url('/news/9.html')}</link>"
            f"<description>&lt;p&gt;没有图片的正文&lt;/p&gt;</description>"
            f'<enclosure url="/img/lead.jpg" length="{len(PHOTO)}" type="image/jpeg"/>'
            "</item></channel></rss>").encode()
    feed_server.route("/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    archive = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build=NO_SITE)
    archive.add_source("图片报", feed_server.url("/feed.xml"))
    archive.cli("fetch", check=0, env=allowing_private())
    assert feed_server.count("/img/lead.jpg") == 1
    jekyll = tmp_path / "jekyll"
    archive.cli("export", "jekyll", "--out", str(jekyll / "_posts"), check=0)
    [post] = (jekyll / "_posts").glob("*.md")
    local = f"assets/media/{sha(PHOTO)[:2]}/{sha(PHOTO)}.jpg"
    text = post.read_text(encoding="utf-8")
    assert "<figure><img src=\"{{ site.baseurl }}/" + local in text
    assert text.index("<figure>") < text.index("没有图片的正文")
    assert (jekyll / local).read_bytes() == PHOTO
