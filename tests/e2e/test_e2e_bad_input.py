"""Bad input (issue 2), through the command line: every case is served by the loopback
FeedServer to a source named 故障 next to a good source named 正常.

In every case the run completes (exit 0; 1 with ``--strict`` when a source failed), the
good source is fetched fine, the table shows the bad source's result with a one-line
reason, and nothing is written outside the archive's database and export folders.
"""

import calendar
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from support.cli import (
    FAST_FETCH,
    NO_SITE,
    SEED_NOW,
    ArchiveDir,
    changed_paths,
    cli_env,
    result_rows,
    run_measuring_rss,
    summary_line,
    tree_snapshot,
)
from support.server import MB, FeedServer

GOOD, BAD = "正常", "故障"
# The control source's items link to hosts that do not exist: its pages are not fetched
# (tests/e2e/test_e2e_fulltext.py is about those), so that its reason stays empty.
CONTROL_PAGES = "never"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
RETRIES = FAST_FETCH["retries"]
CAP_MB = FAST_FETCH["max_body_mb"]
TOTAL_TIMEOUT = FAST_FETCH["total_timeout"]
FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.timeout(90)  # generous: a run that hangs past its timeouts fails


def epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


SEED_NOW_MS = epoch_ms(SEED_NOW)
LATER = "2022-01-28T00:00:00.000Z"


@pytest.fixture
def good_source(archive, feed_server, fixture_bytes) -> ArchiveDir:
    """The archive with the good source 正常 (two items) added first."""
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    archive.add_source(GOOD, feed_server.url("/good.xml"), full_text=CONTROL_PAGES)
    return archive


def assert_good_source_fine(rows, first_run: bool = True) -> None:
    good = rows[GOOD]
    assert good.result == "ok" and good.reason == ""
    assert (good.new, good.unchanged) == ((2, 0) if first_run else (0, 2))


EXPORT_FOLDERS = ("_posts", "site")  # [export.jekyll] out and [build] out


def assert_only_archive_files_changed(before: dict, after: dict, archive: ArchiveDir,
                                      base: Path) -> None:
    """Between two snapshots of ``base``, only the database, the run lock and the export
    folders may have changed."""
    inside = archive.root.relative_to(base)
    allowed = {str(inside / name) for name in (
        "newsvault.db", "newsvault.db-wal", "newsvault.db-shm", ".newsvault.lock",
        *EXPORT_FOLDERS)}
    exports = tuple(str(inside / name) + "/" for name in EXPORT_FOLDERS)
    outside = {path for path in changed_paths(before, after)
               if path not in allowed and not path.startswith(exports)}
    assert not outside, f"written outside the export folders: {sorted(outside)}"


# -- errors: the source fails with a clear one-line reason ------------------------------

@dataclass
class ErrorCase:
    id: str  # also the path the bad source is served at
    serve: object  # serve(server, path, fixture_bytes)
    reason: str  # in the one-line reason
    requests: int = 1  # what the server should have seen from the first run
    memory: bool = False  # a big body: peak memory must stay far below it


def _loop(server: FeedServer, path: str, _fixtures) -> None:
    server.redirect(path, f"{path}-hop")
    server.redirect(f"{path}-hop", path)


ERROR_CASES = [
    ErrorCase("404", lambda s, p, f: s.route(p, status=404, body=b"no such feed"),
              "not found (404 status code)"),
    ErrorCase("500-retried-then-error", lambda s, p, f: s.route(p, status=500, body=b"oops"),
              "server error (500 status code)", requests=1 + RETRIES),
    ErrorCase("redirect-loop", _loop, "redirect loop", requests=1),
    ErrorCase("server-never-answers", lambda s, p, f: s.hang(p), "timed out"),
    ErrorCase("server-sends-headers-then-nothing",
              lambda s, p, f: s.hang(p, headers={"Content-Length": "4096", **RSS}), "timed out"),
    # a byte now and then, never a read timeout: only the total timeout ends it
    ErrorCase("server-trickles-forever",
              lambda s, p, f: s.slow(p, [b"<"] + [b" "] * 1000, interval=0.3, headers=RSS),
              f"timed out after {TOTAL_TIMEOUT}s (total)"),
    ErrorCase("html-page-instead-of-feed",
              lambda s, p, f: s.route(p, body=f("html-page-instead-of-feed.html"),
                                      headers={"Content-Type": "text/html; charset=utf-8"}),
              "HTML page, not a feed"),
    ErrorCase("50mb-body", lambda s, p, f: s.huge(p, 50 * MB),
              f"too large (over {CAP_MB} MB)", memory=True),
    ErrorCase("50mb-body-chunked", lambda s, p, f: s.huge(p, 50 * MB, content_length=False),
              f"too large (over {CAP_MB} MB)", memory=True),
    ErrorCase("gzip-bomb", lambda s, p, f: s.gzip_bomb(p, 60 * MB),
              f"too large (over {CAP_MB} MB)", memory=True),
]


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory):
    """Peak RSS of ``newsvault fetch`` on the good source alone: what the process needs anyway."""
    with FeedServer() as server:
        server.route("/good.xml", body=(FIXTURES / "good-source.xml").read_bytes(),
                     headers=RSS)
        archive = ArchiveDir.create(tmp_path_factory.mktemp("baseline") / "news",
                                    fetch=FAST_FETCH, build=NO_SITE)
        archive.add_source(GOOD, server.url("/good.xml"), full_text=CONTROL_PAGES)
        result, peak = run_measuring_rss(
            [sys.executable, "-m", "newsvault", "--archive", str(archive.root), "fetch"],
            cwd=archive.root, env=cli_env())
    assert result.returncode == 0, result.stderr
    return peak


@pytest.mark.parametrize("case", ERROR_CASES, ids=[case.id for case in ERROR_CASES])
def test_a_failing_source_gets_a_one_line_reason_and_the_others_are_fetched(
        case, good_source, feed_server, fixture_bytes, tmp_path, request):
    archive = good_source
    path = f"/{case.id}"
    case.serve(feed_server, path, fixture_bytes)
    archive.add_source(BAD, feed_server.url(path))
    before = tree_snapshot(tmp_path)

    first, peak_rss = run_measuring_rss(
        [sys.executable, "-m", "newsvault", "--archive", str(archive.root), "run", "--strict"],
        cwd=tmp_path, env=cli_env())
    assert first.returncode == 1, first.stdout + first.stderr  # --strict: a source failed
    rows = result_rows(first.stdout)
    assert rows[BAD].result == "error"
    assert case.reason in rows[BAD].reason
    log_line = f"{BAD}: error ({rows[BAD].reason})"  # the plain progress log says the same
    assert any(line.endswith(log_line) for line in first.stderr.splitlines()), first.stderr
    assert_good_source_fine(rows)
    assert "1 failed" in summary_line(first.stdout)
    assert feed_server.count(path) == case.requests
    if case.memory:
        growth = peak_rss - request.getfixturevalue("baseline_rss")
        assert growth < 25 * MB, f"peak RSS grew {growth / MB:.0f} MB with a {CAP_MB} MB cap"

    second = archive.cli("fetch", check=0)  # without --strict a failed source still exits 0
    rows = result_rows(second.stdout)
    assert rows[BAD].result == "error" and case.reason in rows[BAD].reason
    assert_good_source_fine(rows, first_run=False)

    logged = archive.query("SELECT r.status, r.error FROM fetch_runs r JOIN sources s"
                           " ON s.id = r.source_id WHERE s.name = ?", BAD)
    assert [status for status, _ in logged] == ["error", "error"]
    assert all(case.reason in error and "\n" not in error for _, error in logged)
    assert_only_archive_files_changed(before, tree_snapshot(tmp_path), archive, tmp_path)


# -- Retry-After: no request before that time, also on later runs -----------------------

RATE_LIMITS = [
    # 429 with a delay in seconds: one hour after the (fixed) clock
    pytest.param(429, "3600", "too many requests (429 status code)",
                 "2022-01-27T10:36:52.404Z", id="429-retry-after-seconds"),
    # 503 with an HTTP date, two hours after the clock; not retried within the run either
    pytest.param(503, "Thu, 27 Jan 2022 11:36:52 GMT", "service unavailable (503 status code)",
                 "2022-01-27T11:36:52.000Z", id="503-retry-after-date"),
]


@pytest.mark.parametrize(("status", "retry_after", "reason", "until"), RATE_LIMITS)
def test_retry_after_means_no_request_before_that_time_also_on_later_runs(
        status, retry_after, reason, until, good_source, feed_server):
    archive = good_source
    path = f"/{status}-retry-after"
    feed_server.route(path, status=status, headers={"Retry-After": retry_after})
    archive.add_source(BAD, feed_server.url(path))

    first = archive.cli("run", "--strict", now=SEED_NOW, check=1)
    rows = result_rows(first.stdout)
    assert rows[BAD].result == "error" and reason in rows[BAD].reason
    assert_good_source_fine(rows)
    assert feed_server.count(path) == 1  # a Retry-After is an answer: no retry in the run

    # a later run, a minute before the time: the source is skipped and says until when;
    # waiting as the server asked is no failure, even for --strict
    just_before = datetime.fromtimestamp(epoch_ms(until) / 1000 - 60, tz=timezone.utc)
    second = archive.cli("fetch", "--strict", now=just_before.isoformat(), check=0)
    rows = result_rows(second.stdout)
    assert rows[BAD].result == "skipped"
    assert "rate limited" in rows[BAD].reason
    assert datetime.fromisoformat(until.replace("Z", "+00:00")).strftime(
        "%Y-%m-%d %H:%M:%S UTC") in rows[BAD].reason
    assert_good_source_fine(rows, first_run=False)
    assert feed_server.count(path) == 1  # the server saw no request

    # once the time has come, it is asked again
    feed_server.route(path, status=status, headers={"Retry-After": "60"})
    archive.cli("fetch", now=until, check=0)
    assert feed_server.count(path) == 2


# -- what a broken or hostile feed leaves in the archive --------------------------------

def serve_bad_feed(archive: ArchiveDir, server: FeedServer, name: str, body: bytes,
                   headers=RSS) -> None:
    server.route(f"/{name}", body=body, headers=headers)
    archive.add_source(BAD, server.url(f"/{name}"))


def run_with_bad_feed(archive: ArchiveDir, server: FeedServer, name: str, body: bytes,
                      headers=RSS, now: str = SEED_NOW):
    """Serve ``body`` as the 故障 source, ``run --strict`` once; the source must be ok."""
    if name is not None:
        serve_bad_feed(archive, server, name, body, headers)
    result = archive.cli("run", "--strict", now=now, check=0)
    rows = result_rows(result.stdout)
    assert rows[BAD].result == "ok", rows[BAD]
    assert_good_source_fine(rows)
    return rows[BAD]


@dataclass
class PostFile:
    name: str
    text: str
    meta: dict = field(default_factory=dict)
    comment: str = ""


def read_posts(folder: Path, source: str = BAD) -> dict[str, PostFile]:
    """The posts of ``source`` in ``folder``, by their ``from:`` link."""
    posts = {}
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)  # must be valid YAML
        if meta["author"] == source:
            comment = re.match(r"<!--(.*?)-->\n", body)
            posts[meta["from"]] = PostFile(path.name, text, meta, comment and comment[1])
    return posts


CUT_OFF = ("parser: the feed is cut off (its XML ends before it is closed): only the whole"
           " items before the cut are kept")


def test_truncated_xml_keeps_the_complete_items(good_source, feed_server, fixture_bytes):
    row = run_with_bad_feed(good_source, feed_server, "truncated-xml",
                            fixture_bytes("truncated-xml.xml"))
    assert (row.new, row.reason) == (3, CUT_OFF)
    assert_whole_items_kept(good_source)


def assert_whole_items_kept(archive: ArchiveDir) -> None:
    by_url = {article["url"]: article for article in archive.articles()
              if article["source"] == BAD}
    assert sorted(by_url) == [f"https://cut.example.com/{n}" for n in (1, 2, 3)]
    for n in (1, 2, 3):
        article = by_url[f"https://cut.example.com/{n}"]
        assert (article["title"], article["content_html"]) == (f"完整条目 {n}", f"<p>第{n}条的正文。</p>")


@pytest.mark.parametrize("version", ["HTTP/1.0", "HTTP/1.1"])
def test_a_feed_cut_short_by_a_closed_connection_keeps_its_whole_items_and_says_so(
        version, good_source, feed_server, fixture_bytes):
    # no Content-Length: the connection's end is the body's, so nothing but the XML tells
    feed_server.close_delimited("/cut.xml", fixture_bytes("truncated-xml.xml"), version,
                                headers={**RSS, "ETag": '"whole"'})
    good_source.add_source(BAD, feed_server.url("/cut.xml"))
    row = run_with_bad_feed(good_source, feed_server, None, b"")
    assert (row.new, row.reason) == (3, CUT_OFF)
    assert_whole_items_kept(good_source)
    status = good_source.source_status(BAD)
    assert (status["last_status"], status["last_error"]) == ("ok", CUT_OFF)
    # the validators of a cut body are not kept: a 304 would keep the rest away for good
    again = result_rows(good_source.cli("run", check=0, now=LATER).stdout)
    assert (again[BAD].unchanged, again[BAD].reason) == (3, CUT_OFF)
    assert "if-none-match" not in feed_server.last("/cut.xml").headers


@pytest.mark.parametrize("case", ["billion-laughs", "billion-laughs-small"])
def test_billion_laughs_is_never_expanded(case, good_source, feed_server, fixture_bytes):
    row = run_with_bad_feed(good_source, feed_server, case, fixture_bytes(f"{case}.xml"))
    assert row.new == 1
    [article] = [a for a in good_source.articles() if a["source"] == BAD]
    assert article["url"] == "https://laughs.example.com/1"
    for text in (article["title"], article["content_html"]):
        assert "lollol" not in text and len(text) < 50
    [post] = read_posts(good_source.root / "_posts").values()
    assert "lollol" not in post.text and len(post.text) < 1000


def test_items_without_a_date_are_dated_when_first_seen(good_source, feed_server, fixture_bytes):
    row = run_with_bad_feed(good_source, feed_server, "no-date", fixture_bytes("no-date.xml"))
    assert row.new == 2
    posts = read_posts(good_source.root / "_posts")
    assert len(posts) == 2
    for post in posts.values():
        assert post.meta["date"] == datetime.fromisoformat(SEED_NOW.replace("Z", "+00:00"))
        assert f"\ndate: {SEED_NOW}\n" in post.text
        assert post.comment == str(SEED_NOW_MS)  # the first-seen time, never NaN
        assert "NaN" not in post.text and post.name.startswith("2022-01-27-")
    # a later run keeps the first-seen time: nothing is rewritten
    again = good_source.cli("run", now=LATER, check=0)
    assert "jekyll: 0 posts written" in again.stdout
    assert {url: post.text for url, post in read_posts(good_source.root / "_posts").items()} \
        == {url: post.text for url, post in posts.items()}


def test_a_future_date_is_dated_when_first_seen_and_kept_in_the_comment(
        good_source, feed_server, fixture_bytes):
    row = run_with_bad_feed(good_source, feed_server, "future-date",
                            fixture_bytes("future-date.xml"))
    assert row.new == 1
    [post] = read_posts(good_source.root / "_posts").values()
    assert f"\ndate: {SEED_NOW}\n" in post.text
    future_ms = calendar.timegm((2035, 1, 1, 0, 0, 0)) * 1000
    assert post.comment == str(future_ms)  # the published time as the feed gave it
    assert post.name == "2022-01-27-来自未来的条目.md"


def test_dates_without_a_zone_are_read_in_the_archives_time_zone(good_source, feed_server):
    items = "".join(
        f"<item><title>{title}</title><link>https://tz.example.com/{n}</link><guid>tz-{n}</guid>"
        f"<pubDate>{date}</pubDate><description>正文 {n}</description></item>"
        for n, (title, date) in enumerate([("无时区", "2022-01-27 15:00:00"),
                                           ("爪哇", "Thu Jan 27 15:00:00 CST 2022")]))
    body = f'<rss version="2.0"><channel><title>时区</title>{items}</channel></rss>'.encode()
    row = run_with_bad_feed(good_source, feed_server, "zone-less", body)  # Asia/Shanghai
    assert row.new == 2
    posts = read_posts(good_source.root / "_posts")
    for n in (0, 1):  # 15:00 in Beijing is 07:00 UTC, before the run's 09:36
        post = posts[f"https://tz.example.com/{n}"]
        assert "\ndate: 2022-01-27T07:00:00.000Z\n" in post.text
        assert post.comment == str(epoch_ms("2022-01-27T07:00:00.000Z"))


def test_duplicated_guids_and_links_in_one_feed_make_no_duplicates(
        good_source, feed_server, fixture_bytes):
    row = run_with_bad_feed(good_source, feed_server, "duplicated-guids-and-links",
                            fixture_bytes("duplicated-guids-and-links.xml"))
    assert (row.new, row.updated) == (3, 0)
    mine = [a for a in good_source.articles() if a["source"] == BAD]
    assert sorted(a["title"] for a in mine) == ["丙", "乙", "甲"]  # the first of each wins
    assert len(read_posts(good_source.root / "_posts")) == 3
    again = result_rows(good_source.cli("run", now=LATER, check=0).stdout)[BAD]
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert len([a for a in good_source.articles() if a["source"] == BAD]) == 3


def test_the_same_link_in_two_sources_is_one_article_also_in_the_other(
        archive, feed_server, fixture_bytes):
    first, second = "先来", "后到"
    for name, fixture in ((first, "same-link-in-two-sources-first.xml"),
                          (second, "same-link-in-two-sources-second.xml")):
        feed_server.route(f"/{fixture}", body=fixture_bytes(fixture), headers=RSS)
        archive.add_source(name, feed_server.url(f"/{fixture}"))
    archive.cli("run", "--source", first, now=SEED_NOW, check=0)
    rows = result_rows(archive.cli("run", "--strict", now=SEED_NOW, check=0).stdout)
    assert (rows[second].result, rows[second].new, rows[second].unchanged) == ("ok", 1, 1)

    articles = archive.articles()
    shared = [a for a in articles if a["url"].startswith("https://shared.example.com/story/42")]
    assert len(shared) == 1 and len(articles) == 3
    assert (shared[0]["source"], shared[0]["title"]) == (first, "两家都转载的报道")
    also_in = archive.query(
        "SELECT a.url, s.name FROM also_in x JOIN articles a ON a.id = x.article_id"
        " JOIN sources s ON s.id = x.source_id")
    assert also_in == [("https://shared.example.com/story/42", second)]
    posts = read_posts(archive.root / "_posts", first)
    assert sorted(posts) == ["https://shared.example.com/story/42",
                             "https://shared.example.com/story/43"]
    assert len(read_posts(archive.root / "_posts", second)) == 1


_FORBIDDEN_IN_NAMES = re.compile('[/\\\\:*?"<>|\x00-\x1f\x7f-\x9f]')


def expected_title(raw: str) -> str:
    """A title as a post carries it: on one line, without control characters."""
    one_line = re.sub("\r\n|[\r\n]", " ", raw)
    return re.sub("[\x00-\x1f\x7f-\x9f]", "", one_line)


def test_hostile_titles_give_valid_yaml_and_safe_unique_file_names(
        feed_server, fixture_bytes, tmp_path):
    # deep enough that "../../../" from an export folder still lands inside tmp_path; the
    # default settings: `run` writes the posts and builds the site
    archive = ArchiveDir.create(tmp_path / "a" / "b" / "c" / "news")
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    archive.add_source(GOOD, feed_server.url("/good.xml"), full_text=CONTROL_PAGES)
    feed = json.loads(fixture_bytes("hostile-titles.json"))
    serve_bad_feed(archive, feed_server, "hostile-titles", fixture_bytes("hostile-titles.json"),
                   headers={"Content-Type": "application/feed+json"})
    before = tree_snapshot(tmp_path)
    row = run_with_bad_feed(archive, feed_server, None, b"")
    assert row.new == len(feed["items"])
    assert_only_archive_files_changed(before, tree_snapshot(tmp_path), archive, tmp_path)

    out = archive.root / "_posts"
    names = [path.name for path in out.iterdir()]
    assert all((out / name).is_file() and not (out / name).is_symlink() for name in names)
    folded = {unicodedata.normalize("NFC", name).casefold() for name in names}
    assert len(folded) == len(names)  # unique, even on case-insensitive file systems
    posts = read_posts(out)
    assert len(posts) == len(feed["items"])
    for item in feed["items"]:
        post = posts[item["url"]]
        name = post.name
        assert _FORBIDDEN_IN_NAMES.search(name) is None, name
        assert ".." not in name and not name.startswith(".") and name.endswith(".md")
        assert len(name.encode("utf-8")) <= 255
        assert len(name) <= len("2022-01-01-") + 50 + len("-99.md")
        # the YAML round-trips; an item without a title is titled by its text
        assert post.meta["title"] == (expected_title(item["title"]) or "没有标题")
        assert (post.meta["author"], post.meta["tags"], post.meta["categories"]) \
            == (BAD, [BAD], [BAD])
        assert post.meta["from"] == item["url"]
        assert "\x00" not in post.text and "\x07" not in post.text and "\x1b" not in post.text


def test_items_with_unsafe_links_are_archived_without_a_link(feed_server, fixture_bytes, tmp_path):
    archive = ArchiveDir.create(tmp_path / "news")  # `run` writes the posts and builds the site
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    archive.add_source(GOOD, feed_server.url("/good.xml"), full_text=CONTROL_PAGES)
    row = run_with_bad_feed(archive, feed_server, "unsafe-links", fixture_bytes("unsafe-links.xml"))
    assert row.new == 3
    assert sorted((article["title"], article["url"]) for article in archive.articles()
                  if article["title"] in ("脚本链接", "数据链接", "安全链接")) == [
        ("安全链接", "https://unsafe.example.com/3"), ("数据链接", None), ("脚本链接", None),
    ]
    posts = {path.name: path.read_text(encoding="utf-8")
             for path in (archive.root / "_posts").glob("2022-01-26-*链接.md")}
    assert sorted(posts) == [f"2022-01-26-{title}.md" for title in ("安全链接", "数据链接", "脚本链接")]
    for title in ("数据链接", "脚本链接"):  # no link: an empty one, as for any item without
        assert '\nfrom: ""\n' in posts[f"2022-01-26-{title}.md"]
        assert (archive.root / "site" / "2022-01-26" / title / "index.html").is_file()
    written = [path.read_text(encoding="utf-8") for folder in ("_posts", "site")
               for path in (archive.root / folder).rglob("*") if path.is_file()
               and path.suffix in (".md", ".html", ".json", ".js")]
    assert written and not any(re.search("javascript:|data:text", text, re.I) for text in written)
