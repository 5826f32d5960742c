"""A podcast, through the command line: its episodes (all linking to the show's home
page) are archived each with its audio's address, text and art; the Jekyll post and the
site's page play the audio; the audio is never downloaded, the art is."""

import re
from html import escape

import pytest
from support.cli import cli_env

from newsvault.export.post import parse_post
from newsvault.site.builder import article_pages

pytestmark = pytest.mark.timeout(120)

NOW = "2024-02-01T00:00:00Z"
# a real 1×1 GIF
ART = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
EPISODES = (1, 2, 3)


def podcast(server) -> bytes:
    items = "".join(
        f"<item><title>Episode {n}</title><link>{server.url('/')}</link>"
        f'<guid isPermaLink="false">show-ep-{n}</guid>'
        f"<pubDate>Tue, 0{n} Jan 2024 08:00:00 GMT</pubDate>"
        f"<itunes:summary>What episode {n} is about.</itunes:summary>"
        f'<itunes:image href="{server.url(f"/art/ep{n}.gif")}"/>'
        f'<enclosure url="{escape(server.url(f"/audio/ep{n}.mp3"))}" length="{n}000000"'
        ' type="audio/mpeg"/></item>'
        for n in EPISODES)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"'
            ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            f"<title>The Show</title><link>{server.url('/')}</link>{items}</channel></rss>").encode()


def player(server, n: int) -> str:
    return (f'<figure><audio controls preload="none" src="{server.url(f"/audio/ep{n}.mp3")}">'
            "</audio><figcaption>")


def test_a_podcasts_episodes_are_played_in_posts_and_pages(archive, feed_server, tmp_path):
    for n in EPISODES:
        feed_server.route(f"/art/ep{n}.gif", body=ART, headers={"Content-Type": "image/gif"})
        feed_server.route(f"/audio/ep{n}.mp3", body=b"ID3" + bytes(64),
                          headers={"Content-Type": "audio/mpeg"})
    feed_server.route("/feed.xml", body=podcast(feed_server),
                      headers={"Content-Type": "application/rss+xml"})
    archive.add_source("show", feed_server.url("/feed.xml"), full_text="never")
    env = cli_env(NOW, NEWSVAULT_ALLOW_PRIVATE="1")  # the art is on the loopback server too
    archive.cli("fetch", "--strict", check=0, env=env)
    assert len(archive.articles()) == 3  # one article per episode, though they share a link

    out = tmp_path / "jekyll" / "_posts"
    archive.cli("export", "jekyll", "--out", str(out), now=NOW, check=0)
    bodies = {parse_post(path.read_text(encoding="utf-8")).title:
              parse_post(path.read_text(encoding="utf-8")).html for path in out.iterdir()}
    assert sorted(bodies) == [f"Episode {n}" for n in EPISODES]
    for n in EPISODES:
        body = bodies[f"Episode {n}"]
        assert f"What episode {n} is about." in body
        assert player(feed_server, n) in body
        assert f"ep{n}.mp3</a> (audio/mpeg, {n}.0 MB)" in body
        assert re.search(r'<img src="\{\{ site\.baseurl \}\}/assets/media/[^"]+\.gif"', body)

    archive.cli("build", check=0, env=env)
    site = archive.root / "site"
    pages = [(site / path).read_text(encoding="utf-8") for path in article_pages(site).values()]
    assert len(pages) == 3
    for n in EPISODES:  # each episode's page plays it, and only its own
        [page] = [page for page in pages if f"What episode {n} is about." in page]
        assert player(feed_server, n) in page
        assert page.count("<audio") == 1

    for n in EPISODES:  # the art is stored, the audio is only linked
        assert feed_server.count(f"/art/ep{n}.gif") == 1
        assert feed_server.count(f"/audio/ep{n}.mp3") == 0


def show_feed(server, link: str, episodes) -> bytes:
    items = "".join(
        f"<item><title>Episode {n}</title><link>{link}</link>"
        f'<guid isPermaLink="false">ep-{n}</guid><pubDate>Tue, 0{n} Jan 2024 08:00:00 GMT'
        f"</pubDate><description>Episode {n}, in short.</description></item>"
        for n in episodes)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>The Show</title>{items}</channel></rss>").encode()


@pytest.mark.parametrize("link", ["/", "/shows/the-show"], ids=["home page", "show's page"])
def test_the_workflows_rebuild_keeps_each_episode_its_own_article_and_post(
        archive, feed_server, link):
    """Rebuilt from the posts (the workflow's cache miss), the episodes were one article:
    the next run wrote a second post of one, and the others lost their pages."""
    feed_server.route("/feed.xml", body=show_feed(feed_server, feed_server.url(link), (1, 2, 3)),
                      headers={"Content-Type": "application/rss+xml"})
    archive.add_source("show", feed_server.url("/feed.xml"), full_text="never")
    archive.cli("run", "--strict", now=NOW, check=0)
    posts = archive.root / "_posts"
    written = sorted(path.name for path in posts.iterdir())
    assert len(written) == 3
    archive.db_path.unlink()
    rebuilt = archive.cli("import", "jekyll", str(posts), now=NOW, check=0)
    assert "3 articles imported" in rebuilt.stdout and "0 files merged" in rebuilt.stdout
    feed_server.route("/feed.xml", body=show_feed(feed_server, feed_server.url(link), (2, 3, 4)),
                      headers={"Content-Type": "application/rss+xml"})
    ran = archive.cli("run", "--strict", now="2024-02-02T00:00:00Z", check=0)
    assert "1 new article, 0 updated" in ran.stdout, ran.stdout
    assert len(archive.articles()) == 4
    assert sorted(path.name for path in posts.iterdir()) == sorted(
        [*written, "2024-01-04-Episode 4.md"])
    assert archive.query("SELECT COUNT(*) FROM revisions") == [(0,)]
