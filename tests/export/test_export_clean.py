"""`export jekyll` writes the clean HTML by default; `--raw` (or `[export.jekyll] raw = true`)
the HTML exactly as the feed gave it. Through the real CLI, from a loopback feed."""

import subprocess
import sys

from support.cli import FAST_FETCH, ArchiveDir

from newsvault.export.post import parse_post

NOW = "2022-01-27T09:36:52.404Z"
RAW_HTML = ('<div class="story" style="color:red"><p onclick="track()">第一段'
            '<script>alert("x")</script></p><img data-src="/img/1.jpg" src="data:image/gif;base64,'
            'R0lGODlh"><a href="javascript:alert(1)">坏链接</a><a href="../more.html">更多</a>'
            '<img src="https://stats.example/p.gif" width="1" height="1"></div>')


def rss(link: str, html: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>一篇文章</title><link>{link}</link><guid>item-1</guid>"
            f"<pubDate>Thu, 27 Jan 2022 08:00:00 GMT</pubDate>"
            f"<description><![CDATA[{html}]]></description></item></channel></rss>").encode()


def fetched_archive(tmp_path, feed_server, **tables) -> ArchiveDir:
    link = feed_server.url("/news/2022/story.html")
    feed_server.route("/feed.xml", body=rss(link, RAW_HTML),
                      headers={"Content-Type": "application/rss+xml"})
    news = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH, build={"enabled": False},
                             **tables)
    news.add_source("源", feed_server.url("/feed.xml"))
    news.cli("fetch", "--strict", now=NOW, check=0)
    return news


def only_post(folder):
    [path] = folder.iterdir()
    return path.read_bytes()


def test_the_default_export_is_clean_and_raw_is_the_original(tmp_path, feed_server):
    news = fetched_archive(tmp_path, feed_server)
    news.cli("export", "jekyll", "--out", str(news.root / "clean"), now=NOW, check=0)
    news.cli("export", "jekyll", "--raw", "--out", str(news.root / "raw"), now=NOW, check=0)
    clean = parse_post(only_post(news.root / "clean").decode()).html
    raw = parse_post(only_post(news.root / "raw").decode()).html
    assert raw == RAW_HTML  # byte for byte, as the feed gave it
    assert clean == (
        f'<div><p>第一段</p><img src="{feed_server.url("/img/1.jpg")}" loading="lazy"'
        ' referrerpolicy="no-referrer"><a rel="noopener noreferrer nofollow">坏链接</a>'
        f'<a href="{feed_server.url("/news/more.html")}"'
        ' rel="noopener noreferrer nofollow">更多</a></div>')


def test_the_raw_setting_writes_the_original(tmp_path, feed_server):
    news = fetched_archive(tmp_path, feed_server, export_jekyll={"raw": True})
    news.cli("export", "jekyll", now=NOW, check=0)
    assert parse_post(only_post(news.root / "_posts").decode()).html == RAW_HTML


def test_exporting_clean_again_writes_nothing(tmp_path, feed_server):
    news = fetched_archive(tmp_path, feed_server)
    done = news.cli("export", "jekyll", now=NOW, check=0)
    assert "(1 article cleaned first)" in done.stdout  # cleaned once, kept for later
    assert "1 post written, 0 already up to date" in done.stdout
    first = only_post(news.root / "_posts")
    again = news.cli("export", "jekyll", now=NOW, check=0)
    assert "0 posts written, 1 already up to date" in again.stdout
    assert "cleaned" not in again.stdout
    assert only_post(news.root / "_posts") == first


def test_an_export_removes_what_a_killed_one_left(tmp_path, feed_server):
    news = fetched_archive(tmp_path, feed_server)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    posts = news.root / "_posts"
    (posts / ".newsvault-tmp").mkdir(parents=True)
    litter = [posts / f".newsvault-{ended.pid}-3.tmp",  # the temporary files of before
              posts / ".newsvault-tmp" / f".newsvault-{ended.pid}-4.tmp"]
    for path in litter:
        path.write_bytes(b"half a post")
    news.cli("export", "jekyll", now=NOW, check=0)
    assert [path.suffix for path in posts.iterdir()] == [".md"]
