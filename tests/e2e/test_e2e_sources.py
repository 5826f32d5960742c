"""Adding sources through the command line: feed discovery from an HTML page, and OPML
in and out."""

import pytest
from support.cli import ArchiveDir, cli_env

pytestmark = pytest.mark.timeout(90)

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def test_add_a_page_discovers_its_feed_from_link_rel_alternate(archive, feed_server, fixture_bytes):
    feed_server.route("/blog/", body=fixture_bytes("add-discovers-feed-page.html"), headers=HTML)
    feed_server.route("/blog/feed.xml", body=fixture_bytes("add-discovers-feed.xml"), headers=RSS)
    feed_url = feed_server.url("/blog/feed.xml")  # the page names it relatively: "feed.xml"

    added = archive.cli("add", feed_server.url("/blog/"), check=0)
    assert f"added 示例博客 <{feed_url}>" in added.stdout  # named after the feed's title
    again = archive.cli("add", feed_server.url("/blog/"), "--name", "另一个名字", "--tag", "博客",
                        check=2)  # the page leads to a feed that is fetched already
    assert f"{feed_url} is fetched already, as the source '示例博客'" in again.stderr
    assert archive.sources() == [{"name": "示例博客", "url": feed_url, "tags": []}]
    assert feed_server.count("/blog/atom.xml") == 0  # the first feed the page names is taken


def test_add_a_page_without_a_feed_fails_and_adds_nothing(archive, feed_server, fixture_bytes):
    feed_server.route("/plain/", body=fixture_bytes("add-page-without-feed.html"), headers=HTML)
    config = archive.config.read_bytes()
    failed = archive.cli("add", feed_server.url("/plain/"), check=1)
    assert f"{feed_server.url('/plain/')} is not a feed, and the page names none" in failed.stderr
    assert "try `newsvault add`" not in failed.stderr  # what the user just did
    assert archive.config.read_bytes() == config
    with_password = feed_server.url("/plain/").replace("://", "://me:s3cret@")
    failed = archive.cli("add", with_password, check=1)
    assert "s3cret" not in failed.stderr and "://me:***@" in failed.stderr


def test_add_takes_the_first_feed_of_a_page_that_can_be_read(archive, feed_server, fixture_bytes):
    page = ('<html><head><link rel="alternate" type="application/rss+xml" href="/gone.xml">'
            '<link rel="alternate" type="application/rss+xml" href="/broken.xml">'
            '<link rel="alternate" type="application/rss+xml" href="/blog/feed.xml"></head></html>')
    feed_server.route("/page/", body=page.encode(), headers=HTML)
    feed_server.route("/broken.xml", body=b"<html><body>not a feed</body></html>", headers=HTML)
    feed_server.route("/blog/feed.xml", body=fixture_bytes("add-discovers-feed.xml"), headers=RSS)
    added = archive.cli("add", feed_server.url("/page/"), check=0)
    assert f"added 示例博客 <{feed_server.url('/blog/feed.xml')}>" in added.stdout

    feed_server.route("/blog/feed.xml", status=500, body=b"")
    config = archive.config.read_bytes()
    failed = archive.cli("add", feed_server.url("/page/"), "--name", "x", check=1)
    assert "names 3 feed(s), and none could be read" in failed.stderr
    for path in ("/gone.xml", "/broken.xml", "/blog/feed.xml"):
        assert feed_server.url(path) + ": " in failed.stderr
    assert archive.config.read_bytes() == config


def test_a_feed_a_page_names_on_another_host_may_not_reach_a_loopback_address(
        archive, feed_server, fixture_bytes):
    """The page is the user's choice; a feed on another host is the page's: it is fetched
    behind the guard for URLs content names (127.0.0.2 is loopback, as 127.0.0.1 is)."""
    elsewhere = feed_server.url("/blog/feed.xml").replace("127.0.0.1", "127.0.0.2")
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{elsewhere}">'
    feed_server.route("/page/", body=page.encode(), headers=HTML)
    feed_server.route("/blog/feed.xml", body=fixture_bytes("add-discovers-feed.xml"), headers=RSS)
    failed = archive.cli("add", feed_server.url("/page/"), check=1)
    assert f"{elsewhere}: fetch: blocked: 127.0.0.2 is a loopback address" in failed.stderr
    allowed = archive.cli("add", feed_server.url("/page/"), check=1,  # the guard lifted: the
                          env=cli_env(NEWSVAULT_ALLOW_PRIVATE="1"))  # server is on 127.0.0.1
    assert "cannot connect to 127.0.0.2" in allowed.stderr and "blocked" not in allowed.stderr


OPML_SOURCES = [
    {"name": "联合早报", "url": "https://rsshub.app/zaobao/realtime/china", "tags": ["新闻"]},
    {"name": "BBC 中文", "url": "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml",
     "tags": ["新闻", "英国", "广播"]},
    {"name": "只有 title 的博客", "url": "https://blog.example.com/feed.xml?a=1&b=2",
     "tags": ["博客", "技术"]},
    {"name": '没有标签 & "引号"', "url": "https://untagged.example.com/rss", "tags": []},
    # a name already taken gets a number; a URL already there is not added again
    {"name": "联合早报 (2)", "url": "https://mirror.example.com/zaobao", "tags": []},
]


def test_opml_import_then_export_round_trips_names_urls_and_tags(archive, tmp_path,
                                                                 fixture_bytes):
    opml = tmp_path / "subscriptions.opml"
    opml.write_bytes(fixture_bytes("opml-round-trip.opml"))
    imported = archive.cli("opml", "import", str(opml), check=0)
    assert "added 5 sources" in imported.stdout
    assert archive.sources() == OPML_SOURCES
    assert "added 0 sources" in archive.cli("opml", "import", str(opml), check=0).stdout

    exported = tmp_path / "exported.opml"
    archive.cli("opml", "export", "--out", str(exported), check=0)
    other = ArchiveDir.create(tmp_path / "other")
    other.cli("opml", "import", str(exported), check=0)
    assert other.sources() == OPML_SOURCES
    again = other.cli("opml", "export", check=0).stdout  # to standard output this time
    assert again.encode("utf-8") == exported.read_bytes()


def test_a_feed_title_with_control_characters_names_the_source_without_them(archive,
                                                                            feed_server):
    feed = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            "<title>Odd\x7fname&#127;\n  blog</title><link>http://127.0.0.1/</link>"
            "</channel></rss>").encode()
    feed_server.route("/odd.xml", body=feed, headers=RSS)
    added = archive.cli("add", feed_server.url("/odd.xml"), check=0)
    assert "added Oddname blog <" in added.stdout
    assert archive.sources() == [{"name": "Oddname blog", "url": feed_server.url("/odd.xml"),
                                  "tags": []}]


def test_opml_import_cleans_names_and_tags_with_control_characters(archive, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="新&#127;闻">'
        '<outline text="Odd&#127;name" xmlUrl="https://odd.example/feed"/>'
        '<outline text="&#127;" xmlUrl="https://nameless.example/feed"/></outline>'
        '<outline text="正常" xmlUrl="https://fine.example/feed"/></body></opml>',
        encoding="utf-8")
    imported = archive.cli("opml", "import", str(opml), check=0)
    assert "added 3 sources" in imported.stdout
    assert archive.sources() == [
        {"name": "Oddname", "url": "https://odd.example/feed", "tags": ["新闻"]},
        {"name": "https://nameless.example/feed", "url": "https://nameless.example/feed",
         "tags": ["新闻"]},
        {"name": "正常", "url": "https://fine.example/feed", "tags": []},
    ]


def test_opml_import_skips_an_outline_whose_url_is_not_http_and_imports_the_rest(archive,
                                                                                 tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="新闻">'
        '<outline text="FTP" xmlUrl="ftp://ftp.example/feed.xml"/>'
        '<outline text="浏览器的订阅链接" xmlUrl="feed://subscribe.example/rss"/>'
        '<outline text="脚本" xmlUrl="javascript:alert(1)"/>'
        '<outline text="相对" xmlUrl="/feed.xml"/>'
        '<outline text="新闻" xmlUrl=" https://news.example/feed " category="新闻, 国际,国际"/>'
        '</outline></body></opml>', encoding="utf-8")
    imported = archive.cli("opml", "import", str(opml), check=0)
    assert "added 2 sources" in imported.stdout
    assert imported.stderr.splitlines() == [
        "warning: skipped the outline 'FTP': its URL 'ftp://ftp.example/feed.xml' uses ftp:, "
        "and newsvault fetches feeds over http:// and https:// only",
        "warning: skipped the outline '脚本': its URL 'javascript:alert(1)' uses javascript:, "
        "and newsvault fetches feeds over http:// and https:// only",
        "warning: skipped the outline '相对': its URL '/feed.xml' is not a whole URL; write it "
        "with http:// or https:// and the host name",
    ]
    assert archive.sources() == [
        {"name": "浏览器的订阅链接", "url": "http://subscribe.example/rss", "tags": ["新闻"]},
        {"name": "新闻", "url": "https://news.example/feed", "tags": ["国际"]},
    ]


def test_opml_import_of_a_cut_off_file_takes_what_it_can_read_and_says_so(archive, tmp_path):
    opml = tmp_path / "feedly.opml"
    opml.write_text('<opml version="1.0"><body><outline text="Tech">'
                    '<outline type="rss" text="甲" xmlUrl="https://a.example/feed"/>'
                    '<outline type="rss" text="乙" xmlUrl="https://b.example/feed"/>'
                    '<outline type="rss" text="丙" xmlU', encoding="utf-8")
    imported = archive.cli("opml", "import", str(opml), check=0)
    assert "added 2 sources" in imported.stdout
    assert f"warning: {opml} is not well-formed OPML (cut off?): only the 2 feeds" \
        in imported.stderr
    assert [source["name"] for source in archive.sources()] == ["甲", "乙"]
