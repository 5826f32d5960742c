"""A source's life across runs, through the command line: 410 Gone, permanent redirects,
conditional GET, and an item edited after it was archived."""

import json

import pytest

from support.cli import SEED_NOW, result_rows, tree_snapshot

GOOD = "正常"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
LATER = "2022-01-28T00:00:00.000Z"

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def good_source(archive, feed_server, fixture_bytes):
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    archive.add_source(GOOD, feed_server.url("/good.xml"))
    return archive


def test_410_gone_marks_the_source_dead_and_only_fetching_it_by_name_tries_again(
        good_source, feed_server, fixture_bytes):
    archive, name, path = good_source, "消失", "/gone-410"
    feed_server.route(path, status=410, body=b"gone for good")
    archive.add_source(name, feed_server.url(path))

    first = result_rows(archive.cli("fetch", "--strict", check=1).stdout)
    assert first[name].result == "error" and "gone (410 status code)" in first[name].reason
    assert first[GOOD].result == "ok"
    status = archive.source_status(name)
    assert (status["dead"], status["last_status"], status["last_http_status"]) == (True, "error", 410)

    # skipped, and it says so; a dead source is a failure for --strict
    second = result_rows(archive.cli("fetch", "--strict", check=1).stdout)
    assert second[name].result == "skipped"
    assert "dead (410 Gone)" in second[name].reason and "--source" in second[name].reason
    assert second[GOOD].result == "ok"
    assert feed_server.count(path) == 1

    feed_server.route(path, body=fixture_bytes("gone-410-comes-back.xml"), headers=RSS)
    by_name = result_rows(archive.cli("fetch", "--source", name, "--strict", check=0).stdout)
    assert list(by_name) == [name]
    assert (by_name[name].result, by_name[name].new) == ("ok", 1)
    assert feed_server.count(path) == 2
    assert archive.source_status(name)["dead"] is False

    archive.cli("fetch", check=0)  # alive again: plain runs fetch it
    assert feed_server.count(path) == 3


@pytest.mark.parametrize(("code", "moves"), [(301, True), (308, True), (302, False)],
                         ids=["301-moves", "308-moves", "302-stays"])
def test_a_permanent_redirect_moves_the_source_to_its_new_url(
        code, moves, good_source, feed_server, fixture_bytes):
    archive, name = good_source, "搬家"
    feed_server.redirect("/old/feed.xml", "/new/feed.xml", code)  # a relative Location
    feed_server.route("/new/feed.xml", body=fixture_bytes("redirect-target.xml"), headers=RSS)
    archive.add_source(name, feed_server.url("/old/feed.xml"))

    first = result_rows(archive.cli("fetch", "--strict", check=0).stdout)
    assert (first[name].result, first[name].new) == ("ok", 2)
    expected_url = feed_server.url("/new/feed.xml" if moves else "/old/feed.xml")
    assert archive.source_status(name)["url"] == expected_url
    listed = {row["name"]: row for row in json.loads(archive.cli("sources", "--json", check=0).stdout)}
    assert listed[name]["url"] == feed_server.url("/old/feed.xml")  # as configured
    assert listed[name]["moved_to"] == (expected_url if moves else None)

    second = result_rows(archive.cli("fetch", "--strict", check=0).stdout)
    assert (second[name].result, second[name].unchanged) == ("ok", 2)
    assert feed_server.count("/old/feed.xml") == (1 if moves else 2)  # moved: asked directly
    assert feed_server.count("/new/feed.xml") == 2

    # adding the feed again, where it now is, is refused only when the source moved there
    again = archive.cli("add", feed_server.url("/new/feed.xml"), "--name", "又一个",
                        "--no-check", check=2 if moves else 0)
    if moves:
        assert f"is fetched already, as the source '{name}'" in again.stderr


def test_a_permanent_redirect_to_what_is_no_feed_does_not_move_the_source(
        good_source, feed_server):
    archive, name = good_source, "改版"
    feed_server.redirect("/feed.xml", "/home", 301)  # a site redesigned: its feed now home
    feed_server.route("/home", body=b"<!doctype html><title>Home</title><p>hi",
                      headers={"Content-Type": "text/html"})
    archive.add_source(name, feed_server.url("/feed.xml"))
    first = result_rows(archive.cli("fetch", check=0).stdout)
    assert first[name].result == "error" and "HTML page" in first[name].reason
    assert archive.source_status(name)["url"] == feed_server.url("/feed.xml")
    archive.cli("fetch", check=0)
    assert feed_server.count("/feed.xml") == 2  # still asked where newsvault.toml says


def test_a_moved_source_whose_new_url_is_not_found_goes_back_to_its_own(
        good_source, feed_server, fixture_bytes):
    archive, name = good_source, "回迁"
    feed_server.redirect("/feed.xml", "/new.xml", 308)
    feed_server.route("/new.xml", body=fixture_bytes("redirect-target.xml"), headers=RSS)
    archive.add_source(name, feed_server.url("/feed.xml"))
    archive.cli("fetch", check=0)
    assert archive.source_status(name)["url"] == feed_server.url("/new.xml")

    feed_server.route("/new.xml", status=404)  # the move is undone at the site
    feed_server.route("/feed.xml", body=fixture_bytes("redirect-target.xml"), headers=RSS)
    second = result_rows(archive.cli("fetch", "--strict", check=0).stdout)
    assert (second[name].result, second[name].unchanged) == ("ok", 2)
    assert archive.source_status(name)["url"] == feed_server.url("/feed.xml")
    archive.cli("fetch", check=0)
    assert feed_server.count("/new.xml") == 2  # the 308, then the 404: never again


def test_a_password_in_a_source_url_is_never_shown(good_source, feed_server, fixture_bytes):
    archive, name = good_source, "私密"
    configured = f"http://me:hunter2@{feed_server.host}/old.xml"
    feed_server.redirect("/old.xml", "/new.xml", 301)  # relative: the password goes along
    feed_server.route("/new.xml", body=fixture_bytes("redirect-target.xml"), headers=RSS)
    archive.add_source(name, configured)
    fetched = archive.cli("fetch", check=0)
    assert result_rows(fetched.stdout)[name].result == "ok"
    assert feed_server.last("/new.xml").headers["authorization"] == "Basic bWU6aHVudGVyMg=="

    shown = [fetched] + [archive.cli(*command, check=0) for command in (
        ("sources",), ("sources", "--json"), ("status",), ("status", "--json"))]
    for result in shown:
        assert "hunter2" not in result.stdout + result.stderr
    listed = {row["name"]: row for row in json.loads(shown[2].stdout)}
    assert listed[name]["url"] == f"http://me:***@{feed_server.host}/old.xml"
    assert listed[name]["moved_to"] == f"http://me:***@{feed_server.host}/new.xml"
    assert archive.source_status(name)["url"] == f"http://me:***@{feed_server.host}/new.xml"
    assert f"me:***@{feed_server.host}/new.xml" in shown[1].stdout


MODIFIED = "Wed, 26 Jan 2022 05:00:00 GMT"


@pytest.mark.parametrize(("etag", "last_modified"), [('"v1"', MODIFIED), (None, MODIFIED)],
                         ids=["etag-and-last-modified", "last-modified-only"])
def test_conditional_get_second_run_is_not_modified_and_nothing_is_re_exported(
        etag, last_modified, archive, feed_server, fixture_bytes):
    name, path = "条件", "/conditional-get.xml"
    feed_server.conditional(path, fixture_bytes("conditional-get.xml"), etag=etag,
                            last_modified=last_modified, headers=RSS)
    archive.add_source(name, feed_server.url(path))

    first = archive.cli("run", "--strict", now=SEED_NOW, check=0)
    assert result_rows(first.stdout)[name].new == 2
    assert "jekyll: 2 posts written" in first.stdout
    asked = feed_server.last(path).headers
    assert "if-none-match" not in asked and "if-modified-since" not in asked
    posts = tree_snapshot(archive.root / "_posts")

    second = archive.cli("run", "--strict", now=LATER, check=0)
    row = result_rows(second.stdout)[name]
    assert (row.result, row.new, row.updated, row.unchanged) == ("not modified", 0, 0, 0)
    assert "0 ok, 1 not modified" in second.stdout
    assert "jekyll: 0 posts written" in second.stdout
    asked = feed_server.last(path).headers
    assert asked.get("if-none-match") == etag
    assert asked.get("if-modified-since") == last_modified
    assert tree_snapshot(archive.root / "_posts") == posts


def test_a_304_that_names_a_new_etag_is_the_one_sent_next(archive, feed_server, fixture_bytes):
    from support.server import Response

    name, path, answers = "换签", "/etag.xml", []

    def handler(request):
        answers.append(request.headers.get("if-none-match"))
        if len(answers) == 1:
            return Response(200, fixture_bytes("conditional-get.xml"), {**RSS, "ETag": '"e1"'})
        return Response(304, b"", {"ETag": '"e2"'})  # RFC 9111 4.3.4: the stored one is updated

    feed_server.route(path, handler=handler)
    archive.add_source(name, feed_server.url(path))
    for _ in range(3):
        archive.cli("fetch", check=0)
    assert answers == [None, '"e1"', '"e2"']


def test_a_304_to_a_request_that_named_no_version_is_an_error(archive, feed_server):
    name, path = "总是304", "/always-304.xml"
    feed_server.route(path, status=304)
    archive.add_source(name, feed_server.url(path))
    rows = result_rows(archive.cli("fetch", "--strict", check=1).stdout)
    assert rows[name].result == "error" and "304 Not Modified to a" in rows[name].reason


def test_a_changed_item_is_updated_keeps_its_revision_and_rewrites_the_same_file(
        archive, feed_server, fixture_bytes):
    name, path = "改稿", "/updated-item.xml"
    feed_server.route(path, body=fixture_bytes("updated-item-before.xml"), headers=RSS)
    archive.add_source(name, feed_server.url(path))
    archive.cli("run", now=SEED_NOW, check=0)
    posts = archive.root / "_posts"
    before = {path.name: path.read_text(encoding="utf-8") for path in posts.iterdir()}
    [edited_name] = [file for file, text in before.items() if "初稿标题" in text]

    feed_server.route(path, body=fixture_bytes("updated-item-after.xml"), headers=RSS)
    second = archive.cli("run", now=LATER, check=0)
    row = result_rows(second.stdout)[name]
    assert (row.result, row.new, row.updated, row.unchanged) == ("ok", 0, 1, 1)
    assert "jekyll: 1 post written" in second.stdout

    after = {path.name: path.read_text(encoding="utf-8") for path in posts.iterdir()}
    assert after.keys() == before.keys()  # the same file names: stable though the title changed
    assert 'title: "改过的标题：更正"' in after[edited_name]
    assert "<p>改过的正文。</p>" in after[edited_name] and "初稿" not in after[edited_name]
    unchanged = [file for file in before if file != edited_name]
    assert all(after[file] == before[file] for file in unchanged)

    [(revisions, current)] = archive.query(
        "SELECT revisions, title FROM articles WHERE guid = 'edit-1'")
    assert (revisions, current) == (2, "改过的标题：更正")
    assert archive.query(
        "SELECT r.title, r.content_html FROM revisions r JOIN articles a ON a.id = r.article_id"
        " WHERE a.guid = 'edit-1'") == [("初稿标题", "<p>初稿正文。</p>")]
    assert archive.status()["totals"]["versions"] == 3

    third = archive.cli("run", now=LATER, check=0)  # seen again unchanged: nothing to do
    assert result_rows(third.stdout)[name].unchanged == 2
    assert "jekyll: 0 posts written" in third.stdout
