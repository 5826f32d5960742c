"""import jekyll on small made-up folders: every file accounted for, merges, names, days,
re-imports; then export gives the posts back.

The posts here are written by the tests themselves (testdata/ holds the odd variants).
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.posts import write
import yaml

from newsvault.export.filenames import is_safe_filename
from newsvault.slugs import post_slug
from newsvault.config import SourceSettings
from newsvault.export.jekyll import export_jekyll, post_path
from newsvault.export.jekyll_import import (
    JEKYLL_IGNORES, NAME_TAKEN, UNPUBLISHED, import_jekyll,
)
from newsvault.feeds.dates import parse_date
from newsvault.model import Entry
from newsvault.store import FetchRecord, FetchResult, open_store
from newsvault.store.identity import unique_entries

TESTDATA = Path(__file__).parent / "testdata"
SOURCE = "示例日报"


def seed_post(title="标题", date="2022-01-27T09:36:52.404Z", url="https://example.org/a",
              html="<p>正文</p>", comment="1643288400000") -> str:
    """A post in the old system's seed layout."""
    head = (f'---\nlayout: post\ntitle: "{title}"\ndate: {date}\nauthor: {SOURCE}\n'
            f"from: {url}\ntags: [ {SOURCE} ]\ncategories: [ {SOURCE} ]\n---\n")
    if comment is None:
        return head + f"\n{html}\n"
    return head + f"<!--{comment}-->\n[{title}]({url})\n------\n\n<div>\n{html}\n</div>\n"




def exported(store, tmp_path) -> dict[str, bytes]:
    """The raw export: imported posts come back byte for byte (the clean one cleans them)."""
    out = tmp_path / "out"
    export_jekyll(store, out, raw=True)
    return {path.name: path.read_bytes() for path in out.iterdir()}


def front_matter(data: bytes) -> dict:
    text = data.decode("utf-8")
    return yaml.safe_load(text[4:text.index("\n---\n", 3)])


def accounted(report) -> int:
    return report.imported_files + report.already_archived_files + len(report.skipped)


def db_rows(store, query: str, *args) -> list[tuple]:
    with sqlite3.connect(store.path) as db:
        return db.execute(query, args).fetchall()


# -- every file imported, or listed with its reason --------------------------------------


def test_every_variant_is_imported_and_every_other_file_listed_with_its_reason(
        store, posts, tmp_path):
    for path in TESTDATA.glob("*.md"):
        write(posts, f"2019-04-20-{path.stem}.md", path.read_bytes())
    write(posts, "2019-04-20-gbk.md", seed_post(title="中文").encode("gb18030"))
    write(posts, "no-date.md", seed_post(date="sometime"))
    write(posts, "notes.txt", "not a post, not read")
    report = import_jekyll(store, posts)
    skipped = dict(report.skipped)
    assert set(skipped) == {
        "2019-04-20-not-a-post.md", "2019-04-20-front-matter-not-closed.md",
        "2019-04-20-gbk.md", "no-date.md"}
    assert "no front matter" in skipped["2019-04-20-not-a-post.md"]
    assert "not closed" in skipped["2019-04-20-front-matter-not-closed.md"]
    assert skipped["2019-04-20-gbk.md"].startswith("not UTF-8 text")
    assert skipped["no-date.md"] == "unreadable date 'sometime', and none in its file name"
    variants = len(list(TESTDATA.glob("*.md"))) - 2  # a post with no title is one, as in Jekyll
    assert report.files == variants + 4 == accounted(report)
    assert report.imported == report.imported_files == variants
    assert (report.renamed, report.merged_articles) == ([], 0)


def test_imported_variants_come_back_byte_for_byte_or_with_their_fix(store, posts, tmp_path):
    originals = {}
    for path in TESTDATA.glob("*.md"):
        if path.stem not in ("not-a-post", "front-matter-not-closed"):
            originals[f"2019-04-20-{path.stem}.md"] = path.read_bytes()
            write(posts, f"2019-04-20-{path.stem}.md", path.read_bytes())
    import_jekyll(store, posts)
    out = exported(store, tmp_path)
    assert set(out) == set(originals)
    fixed = {name for name in out if out[name] != originals[name]}
    assert fixed == {"2019-04-20-unescaped-quotes-in-title.md",
                     "2019-04-20-control-characters-in-values.md",
                     "2019-04-20-nan-comment.md",
                     "2019-04-20-block-lists-and-quoted-values.md",
                     "2019-04-20-title-broken-over-lines.md",
                     "2019-04-20-no-title-no-url.md"}
    for data in out.values():
        front_matter(data)  # valid YAML, every one
    for name in ("2019-04-20-block-lists-and-quoted-values.md",  # valid, not in the seed's style:
                 "2019-04-20-title-broken-over-lines.md"):  # the same values, in its style
        written, original = front_matter(out[name]), front_matter(originals[name])
        assert parse_date(str(written.pop("date"))) == parse_date(str(original.pop("date")))
        assert written == original
        assert out[name].endswith(b"\n---\n<p>x</p>\n")
        assert out[name].count(b"\n") < originals[name].count(b"\n")
    quotes = front_matter(out["2019-04-20-unescaped-quotes-in-title.md"])
    assert quotes["title"] == 'He said "hi" to the "board" today'
    controls = front_matter(out["2019-04-20-control-characters-in-values.md"])
    assert (controls["title"], controls["author"], controls["from"], controls["tags"]) == (
        "Bell and backspace - Example", "Example Writer", "https://example.org/page",
        ["Example"])
    untitled = front_matter(out["2019-04-20-no-title-no-url.md"])
    assert untitled["title"] == "No Title No Url"  # the title Jekyll showed, now written
    nan = out["2019-04-20-nan-comment.md"]
    date_ms = parse_date("2014-08-27T08:11:17.000Z")
    assert nan == originals["2019-04-20-nan-comment.md"].replace(
        b"<!--NaN-->", f"<!--{date_ms}-->".encode())


# -- one article saved several times ------------------------------------------------------


def test_files_saved_several_times_become_one_article_whose_distinct_versions_are_revisions(
        store, posts, tmp_path):
    url = "https://example.org/story/7"
    # names sort the other way round from dates: the newest by date must win
    write(posts, "2022-01-29-a-first.md",
          seed_post(title="初版", date="2022-01-27T08:00:00.000Z", url=url, html="<p>一</p>"))
    write(posts, "2022-01-28-b-again.md",
          seed_post(title="初版", date="2022-01-28T08:00:00.000Z", url=url + "?utm_source=rss",
                    html="<p>一</p>"))
    newest = write(posts, "2022-01-27-c-newest.md",
                   seed_post(title="改版", date="2022-01-29T08:00:00.000Z", url=url,
                             html="<p>二</p>"))
    write(posts, "2022-01-27-other.md", seed_post(title="别的", url="https://example.org/other"))
    report = import_jekyll(store, posts)
    assert (report.imported, report.imported_files) == (2, 4)
    assert (report.merged_articles, report.merged_files) == (1, 3)
    [(title, revisions)] = db_rows(store, "SELECT title, revisions FROM articles WHERE url_key = ?",
                                   url)
    assert (title, revisions) == ("改版", 2)  # the second file repeats the first: one version
    assert db_rows(store, "SELECT title, content_html FROM revisions") == [("初版", "<p>一</p>")]
    out = exported(store, tmp_path)
    assert set(out) == {"2022-01-27-c-newest.md", "2022-01-27-other.md"}
    assert out["2022-01-27-c-newest.md"] == newest.read_bytes()


def test_when_the_newest_copy_cannot_be_read_the_one_before_is_current_under_its_own_name(
        store, posts, tmp_path):
    url = "https://example.org/story/8"
    older = write(posts, "2022-01-27-old.md", seed_post(title="旧", url=url))
    broken = seed_post(title="新", date="2022-01-28T08:00:00.000Z", url=url,
                       html="<p>" + "新" * 5000 + "</p>").encode() + b"\xff\n"  # past the head
    write(posts, "2022-01-28-new.md", broken)
    report = import_jekyll(store, posts)
    assert [name for name, _ in report.skipped] == ["2022-01-28-new.md"]
    assert (report.imported, report.imported_files, report.merged_articles) == (1, 1, 0)
    assert exported(store, tmp_path) == {"2022-01-27-old.md": older.read_bytes()}


# -- days ---------------------------------------------------------------------------------


def test_a_date_without_a_time_keeps_its_day(store, posts, tmp_path):
    kept = write(posts, "2020-05-18-书评.md",
                 seed_post(title="书评", date="2020-05-18", url="https://example.org/1",
                           comment=None))
    write(posts, "2020-05-18-书评:下.md",
          seed_post(title="书评:下", date="2020-05-18", url="https://example.org/2", comment=None))
    report = import_jekyll(store, posts)
    assert report.renamed == [("2020-05-18-书评:下.md", "2020-05-18-书评：下.md",
                               "':' is not allowed in a file name on Windows")]
    assert db_rows(store, "SELECT DISTINCT published_ms, first_seen_ms FROM articles") == [
        (parse_date("2020-05-18T00:00:00Z"), parse_date("2020-05-18T00:00:00Z"))]
    out = exported(store, tmp_path)
    assert out["2020-05-18-书评.md"] == kept.read_bytes()
    assert front_matter(out["2020-05-18-书评：下.md"])["date"].isoformat() == "2020-05-18"


@pytest.mark.parametrize("date", ["", "sometime", "0001-01-01T00:00:00Z", "9999-12-31 23:59:59 -1200"])
def test_a_post_without_a_date_any_reader_can_show_is_dated_by_its_file_name(
        store, posts, tmp_path, date):
    # Go's (Hugo's) zero time and a time past 9999 in UTC made the site's build stop
    text = seed_post(date=date or "x", comment=None)
    text = text if date else text.replace("date: x\n", "")
    write(posts, "2021-03-04-a.md", text)
    report = import_jekyll(store, posts)
    assert (report.imported, report.skipped) == (1, [])
    assert db_rows(store, "SELECT published_ms FROM articles") == [(parse_date("2021-03-04"),)]
    [post] = exported(store, tmp_path).values()
    # the date as written; where there was none, the file name's day (Jekyll refuses "")
    date_line = next(line for line in post.decode().splitlines() if line.startswith("date:"))
    assert date_line.replace('"', "") == f"date: {date or '2021-03-04'}"


# What Jekyll 4.3 (Ruby's Psych) shows for each date in a site whose timezone is Asia/Shanghai,
# checked with `jekyll build`: a plain YAML timestamp with no zone is UTC; a string is the site's.
JEKYLL_READS = {
    "2022-01-31 20:00:00": "2022-01-31T20:00:00Z",  # a YAML timestamp: UTC
    "2022-01-31T20:00:00": "2022-01-31T20:00:00Z",
    '"2022-01-31 20:00:00"': "2022-01-31T12:00:00Z",  # quoted: a string, in the site's zone
    "2022-01-31 20:00": "2022-01-31T12:00:00Z",  # no seconds: no timestamp, a string
    "2022-01-31T20:00:00+08:00": "2022-01-31T12:00:00Z",
    "2022-01-31": "2022-01-31",  # a day alone keeps its day
}


def test_a_time_that_names_no_zone_is_read_as_jekyll_reads_it(store, posts, tmp_path):
    from zoneinfo import ZoneInfo

    for number, date in enumerate(JEKYLL_READS):
        write(posts, f"2022-01-31-{number}.md",
              seed_post(date=date, url=f"https://e.org/{number}", comment=None))
    import_jekyll(store, posts, ZoneInfo("Asia/Shanghai"))
    expected = [(parse_date(read),) for read in JEKYLL_READS.values()]
    assert db_rows(store, "SELECT published_ms FROM articles ORDER BY url") == expected
    # written back so that Jekyll reads the same time: the quoted one with its offset
    again = tmp_path / "again"
    again.mkdir()
    for name, data in exported(store, tmp_path).items():
        write(again, name, data)
    assert 'date: "2022-01-31 20:00:00 +0800"' in (again / "2022-01-31-2.md").read_text()
    other = open_store(tmp_path / "other.db")
    import_jekyll(other, again, ZoneInfo("Asia/Shanghai"))
    assert db_rows(other, "SELECT published_ms FROM articles ORDER BY url") == expected
    other.close()


@pytest.mark.parametrize("date, day", [
    ("2020-05-18T23:30:00-05:00", "2020-05-18"),  # already 05-19 in UTC
    ("2020-05-19T00:15:41+01:00", "2020-05-19"),  # still 05-18 in UTC
    ("Mon, 18 May 2020 23:30:00 -0500", "2020-05-18"),  # date_text[:10] is "Mon, 18 Ma"
    ("2020/05/18 10:00", "2020-05-18"),  # no offset kept: the UTC day
])
def test_a_post_named_anew_is_named_by_its_dates_day_as_written(store, posts, date, day):
    write(posts, "2020-01-01-AB.md", seed_post(title="AB", url="https://e.org/first"))
    write(posts, "2020-01-01-ab.md", seed_post(title="a?b", date=date))
    [(_, new, _)] = import_jekyll(store, posts).renamed  # its name is taken: named anew
    assert new == f"{day}-a？b.md"


def test_a_name_broken_only_by_its_characters_keeps_the_rest_and_so_its_url(store, posts):
    """Jekyll slugs "：" as it slugs ":": the post's URL stays. Named anew from its title, it
    was cut to 50 characters, and old links to it led nowhere."""
    long_title = "Chinese horror story: the story of my life told by a reader - 2017"
    write(posts, f"2017-01-10-{long_title}.md", seed_post(title=long_title, url="https://e.org/1"))
    write(posts, "2017-01-10-a\x08b?.md", seed_post(title="ab", url="https://e.org/2"))
    renamed = {old: new for old, new, _ in import_jekyll(store, posts).renamed}
    fixed = long_title.replace(":", "：")
    assert renamed == {f"2017-01-10-{long_title}.md": f"2017-01-10-{fixed}.md",
                       "2017-01-10-a\x08b?.md": "2017-01-10-ab？.md"}
    assert post_slug(f"2017-01-10-{fixed}.md") == post_slug(f"2017-01-10-{long_title}.md")


# -- names --------------------------------------------------------------------------------


def test_only_names_that_break_somewhere_or_collide_are_renamed_and_each_is_reported(
        store, posts, tmp_path):
    long_name = "2022-01-27-" + "长" * 80 + ".md"  # 254 bytes: longer than newsvault makes
    keep = ["2022-01-27-Wait....md", "2022-01-27-space before .md", long_name,
            "2022-01-27-Case.md"]
    rename = {
        "2022-01-27-a:b.md": "':' is not allowed in a file name on Windows",
        "2022-01-27-a\x08b.md": "a control character in the name",
        "2022-01-27-case.md": NAME_TAKEN,
    }
    for number, name in enumerate([*keep, *rename]):
        write(posts, name, seed_post(title=name[11:-3].strip(".") or "x",
                                     url=f"https://example.org/{number}"))
    write(posts, "2022-01-27-a：b.md", seed_post(title="taken", url="https://example.org/x"))
    write(posts, ".2022-01-27-hidden.md", seed_post(title="hidden", url="https://example.org/h"))
    report = import_jekyll(store, posts)
    renamed = {old: (new, why) for old, new, why in report.renamed}
    assert {old: why for old, (_, why) in renamed.items()} == rename
    assert report.skipped == [(".2022-01-27-hidden.md", JEKYLL_IGNORES)]  # as Jekyll does
    assert renamed["2022-01-27-a:b.md"][0] == "2022-01-27-a：b-2.md"  # a folder name is never taken
    assert renamed["2022-01-27-case.md"][0] == "2022-01-27-case-2.md"
    out = exported(store, tmp_path)
    assert set(out) == {*keep, "2022-01-27-a：b.md", *(new for new, _ in renamed.values())}
    assert all(is_safe_filename(name) for name in out)


def test_a_name_an_archived_post_has_is_not_given_twice(store, posts, tmp_path):
    write(posts, "2022-01-27-同名.md", seed_post(title="同名", url="https://example.org/1"))
    import_jekyll(store, posts)
    other = tmp_path / "other"
    other.mkdir()
    write(other, "2022-01-27-同名.md", seed_post(title="同名", url="https://example.org/2"))
    report = import_jekyll(store, other)
    assert report.renamed == [("2022-01-27-同名.md", "2022-01-27-同名-2.md", NAME_TAKEN)]
    assert set(exported(store, tmp_path)) == {"2022-01-27-同名.md", "2022-01-27-同名-2.md"}


# -- again --------------------------------------------------------------------------------


def test_posts_in_subfolders_are_written_back_where_they_were(store, posts, tmp_path):
    """Jekyll reads _posts/ and its subfolders alike: a post exported at the top as well
    as in its subfolder would be a second post under the same URL."""
    (posts / "2022" / "01").mkdir(parents=True)
    files = {
        "2022/01/2022-01-27-一月.md": seed_post(title="一月", url="https://example.org/1"),
        "2022/2022-02-01-二月.md": seed_post(title="二月", url="https://example.org/2",
                                           date="2022-02-01T00:00:00.000Z"),
        "2022-03-01-三月.md": seed_post(title="三月", url="https://example.org/3",
                                      date="2022-03-01T00:00:00.000Z"),
    }
    for name, text in files.items():
        write(posts, name, text)
    import_jekyll(store, posts)

    def tree(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes()
                for path in folder.rglob("*") if path.is_file()}

    before = tree(posts)
    assert export_jekyll(store, posts, raw=True).written == 0  # back into its own folder
    assert tree(posts) == before
    export_jekyll(store, tmp_path / "out", raw=True)  # into an empty one
    assert tree(tmp_path / "out") == before


def test_a_post_jekyll_does_not_publish_is_listed_not_imported(store, posts):
    def post(published: str) -> str:
        return seed_post(url=f"https://example.org/{len(list(posts.iterdir()))}").replace(
            "layout: post\n", f"layout: post\npublished: {published}\n")

    # as Ruby's YAML reads them (checked with Psych)
    unpublished = ["false", "False", "fAlse", "no", "OFF", "false # a draft"]
    published = ['"false"', "'no'", "true", "n", "0", "yes"]
    for n, value in enumerate([*unpublished, *published]):
        write(posts, f"2022-01-{n + 1:02d}-p.md", post(value))
    report = import_jekyll(store, posts)
    assert report.skipped == [(f"2022-01-{n + 1:02d}-p.md", UNPUBLISHED)
                              for n in range(len(unpublished))]
    assert report.imported == len(published)


def test_the_source_is_the_old_systems_tag_and_category_else_the_author(store, posts):
    write(posts, "2022-01-01-old.md", seed_post(url="https://example.org/1").replace(
        f"categories: [ {SOURCE} ]", f"categories: [ news, {SOURCE} ]"))
    own = "---\ntitle: {title}\ndate: 2022-01-02\nauthor: {author}\ntags: [python, web]\n" \
          "categories: [blog]\n---\n<p>x</p>\n"
    write(posts, "2022-01-02-mine.md", own.format(title="Mine", author="Jane Doe"))
    write(posts, "2022-01-03-anonymous.md", own.format(title="Anonymous", author='""'))
    import_jekyll(store, posts)
    rows = db_rows(store, "SELECT a.title, s.name FROM articles a JOIN sources s"
                          " ON s.id = a.source_id")
    assert dict(rows) == {"标题": SOURCE, "Mine": "Jane Doe", "Anonymous": "imported"}


def test_a_file_in_a_subfolder_is_reported_by_its_path_under_the_posts_folder(store, posts):
    for folder in ("2021", "2022"):
        (posts / folder).mkdir()
        write(posts, f"{folder}/2022-01-27-same.md", "no front matter")
        write(posts, f"{folder}/2022-01-27-a:b.md", seed_post(url=f"https://example.org/{folder}"))
    write(posts, "2022/~draft.md~", seed_post())
    write(posts, "2022/#2022-01-27-x.md", seed_post())
    report = import_jekyll(store, posts)
    assert [name for name, _ in report.skipped] == [
        "2022/#2022-01-27-x.md", "2021/2022-01-27-same.md", "2022/2022-01-27-same.md"]
    assert [(old, new) for old, new, _ in report.renamed] == [
        ("2021/2022-01-27-a:b.md", "2022-01-27-a：b.md"),  # only what broke it changed
        ("2022/2022-01-27-a:b.md", "2022-01-27-标题.md")]  # that name taken: named anew


def test_a_new_post_does_not_take_a_name_a_subfolder_has(store, posts):
    (posts / "2022").mkdir()
    write(posts, "2022/2022-01-27-标题.md", "a post of the site's own, not imported")
    store.sync_sources([SourceSettings(SOURCE, "https://example.org/feed")], now_ms=0)
    [source] = store.configured_sources()
    entry = Entry(title="标题", url="https://example.org/new", guid="new",
                  content_html="<p>新</p>", published_ms=parse_date("2022-01-27T08:00:00Z"))
    seen = parse_date("2022-02-01T00:00:00Z")
    store.save_fetches([FetchResult(source, [entry], FetchRecord(seen, seen, "ok", 200, 1),
                                    keyed=unique_entries([entry]))])
    export_jekyll(store, posts, raw=True)
    written = sorted(path.relative_to(posts).as_posix() for path in posts.rglob("*.md"))
    assert written == ["2022-01-27-标题-2.md", "2022/2022-01-27-标题.md"], written


@pytest.mark.parametrize("subfolder, path", [
    (None, "a.md"), ("", "a.md"), ("2022/01", "2022/01/a.md"),
    ("../up", "a.md"), ("/abs", "a.md"), ("a//b", "a.md"), ("./x", "a.md"), ("x/..", "a.md"),
    ("con", "a.md"), ("a:b", "a.md"),
])
def test_a_post_path_never_leaves_the_output_folder(subfolder, path):
    assert post_path("a.md", subfolder) == path


def test_importing_again_adds_nothing(store, posts, tmp_path):
    url = "https://example.org/twice"
    write(posts, "2022-01-27-a.md", seed_post(title="甲", url=url))
    write(posts, "2022-01-28-a.md", seed_post(title="甲二", date="2022-01-28T00:00:00Z", url=url))
    for number in (1, 2):  # no link: told apart by their files, though their titles are one
        write(posts, f"2022-01-27-no-link-{number}.md", seed_post(title="无链接", url=""))
    first = import_jekyll(store, posts)
    totals = store.totals()
    again = import_jekyll(store, posts)
    assert (first.imported, first.imported_files) == (3, 4)
    assert (again.imported, again.imported_files, again.skipped, again.renamed) == (0, 0, [], [])
    assert (again.already_archived, again.already_archived_files) == (3, 4)
    assert accounted(again) == again.files == 4
    assert store.totals() == totals == {**totals, "articles": 3, "versions": 4}
    assert len(exported(store, tmp_path)) == 3


# -- then fetched -------------------------------------------------------------------------


def newsvault(*args, cwd, check=0):
    env = dict(os.environ, NEWSVAULT_NOW="2022-02-01T00:00:00.000Z", COLUMNS="200")
    result = subprocess.run([sys.executable, "-m", "newsvault", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == check, result.stdout + result.stderr
    return result


def rss(link: str, title: str, html: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>{link}</link><guid>item-1</guid>"
            f"<pubDate>Thu, 27 Jan 2022 13:00:00 GMT</pubDate>"
            f"<description><![CDATA[{html}]]></description></item></channel></rss>").encode()


def test_an_imported_article_fetched_again_is_the_same_article(tmp_path, posts, feed_server):
    link = feed_server.url("/story/1")
    write(posts, "2022-01-27-标题.md", seed_post(title="标题", url=link, comment=None))
    for path, title in (("/feed.xml", "标题（更新）"), ("/other.xml", "别处")):
        feed_server.route(path, body=rss(f"{link}?utm_source=rss", title, "<p>新\n正文</p>"),
                          headers={"Content-Type": "application/rss+xml"})
    newsvault("init", "news", "--empty", cwd=tmp_path)
    news = tmp_path / "news"
    newsvault("add", feed_server.url("/feed.xml"), "--name", SOURCE, "--no-check", cwd=news)
    newsvault("add", feed_server.url("/other.xml"), "--name", "别处", "--no-check", cwd=news)
    newsvault("import", "jekyll", str(posts), cwd=news)
    newsvault("fetch", "--strict", cwd=news)
    newsvault("fetch", "--strict", cwd=news)
    status = json.loads(newsvault("status", "--json", cwd=news).stdout)
    assert (status["totals"]["articles"], status["totals"]["versions"]) == (1, 2)
    newsvault("export", "jekyll", "--out", "out", cwd=news)
    [post] = (news / "out").iterdir()
    assert post.name == "2022-01-27-标题.md"  # its file, kept
    text = post.read_text(encoding="utf-8")
    assert front_matter(text.encode())["title"] == "标题（更新）"
    assert text.endswith(f"\n[标题（更新）]({link})\n------\n\n<div>\n<p>新正文</p>\n</div>\n")


def test_an_imported_post_seen_again_unedited_in_its_feed_is_no_new_version(tmp_path, posts,
                                                                              feed_server):
    """The old system stripped and joined the feed's lines; the feed still has them. The
    same text is the same version: no "revised" article, no rewritten post."""
    link = feed_server.url("/story/1")
    feed_html = "<p>\n  第一段，\n  <b>重点</b>。\n</p>\n<p>第二段。</p>\n<script>track()</script>"
    joined = "".join(line.strip() for line in feed_html.splitlines())
    write(posts, "2022-01-27-标题.md", seed_post(title="标题", url=link, html=joined))
    feed_server.route("/feed.xml", body=rss(link, "标题", feed_html),
                      headers={"Content-Type": "application/rss+xml"})
    newsvault("init", "news", "--empty", cwd=tmp_path)
    news = tmp_path / "news"
    newsvault("add", feed_server.url("/feed.xml"), "--name", SOURCE, "--no-check", cwd=news)
    newsvault("import", "jekyll", str(posts), cwd=news)
    newsvault("export", "jekyll", "--raw", "--out", "out", cwd=news)
    post = news / "out" / "2022-01-27-标题.md"
    before = post.read_bytes()
    fetched = newsvault("fetch", "--strict", cwd=news).stdout
    assert re.search(rf"^{SOURCE}\s+ok\s+0\s+0\s+1\s*$", fetched, re.M), fetched
    status = json.loads(newsvault("status", "--json", cwd=news).stdout)
    assert (status["totals"]["articles"], status["totals"]["versions"]) == (1, 1)
    newsvault("export", "jekyll", "--raw", "--out", "out", cwd=news)
    assert post.read_bytes() == before

    # an edit at the source is a new version, as ever
    feed_server.route("/feed.xml", body=rss(link, "标题", feed_html.replace("第二段", "第二段（更正）")),
                      headers={"Content-Type": "application/rss+xml"})
    newsvault("fetch", "--strict", cwd=news)
    status = json.loads(newsvault("status", "--json", cwd=news).stdout)
    assert status["totals"]["versions"] == 2


def test_an_imported_article_whose_feed_lost_its_last_paragraph_is_revised(tmp_path, posts,
                                                                            feed_server):
    """What an archive is for: a whole article cut at the source is an edit, even the first
    time a feed brings an imported post again (only a summary may say less than the post)."""
    link = feed_server.url("/story/cut")
    paragraphs = [f"<p>第{n}段：{'这是一篇很长的报道，内容完整。' * 12}</p>" for n in range(1, 5)]
    write(posts, "2022-01-27-标题.md", seed_post(title="标题", url=link, html="".join(paragraphs)))
    feed_server.route("/feed.xml", body=rss(link, "标题", "\n".join(paragraphs[:-1])),
                      headers={"Content-Type": "application/rss+xml"})
    newsvault("init", "news", "--empty", cwd=tmp_path)
    news = tmp_path / "news"
    newsvault("add", feed_server.url("/feed.xml"), "--name", SOURCE, "--no-check", cwd=news)
    newsvault("import", "jekyll", str(posts), cwd=news)
    fetched = newsvault("fetch", "--strict", cwd=news).stdout
    assert re.search(rf"^{SOURCE}\s+ok\s+0\s+1\s+0\s*$", fetched, re.M), fetched
    status = json.loads(newsvault("status", "--json", cwd=news).stdout)
    assert status["totals"]["versions"] == 2


def test_what_jekyll_reads_is_imported_and_what_it_ignores_is_not(store, posts, tmp_path):
    write(posts, "2022-06-02-upper.MD", seed_post(title="upper", url="https://e.org/1"))
    write(posts, "2022-06-03-mkd.mkd", seed_post(title="mkd", url="https://e.org/2"))
    for folder in (".trash", "_notes"):
        (posts / folder).mkdir()
        write(posts / folder, "2022-06-05-x.md", seed_post(title="x", url=f"https://e.org/{folder}"))
    write(posts, "2022-06-06-draft.md~", seed_post(title="backup", url="https://e.org/3"))
    write(posts, "#2022-06-07-emacs.md", seed_post(title="lock", url="https://e.org/4"))
    os.mkfifo(posts / "2022-06-08-fifo.md")  # read, it would hang the import
    report = import_jekyll(store, posts)
    assert report.imported == 2
    assert sorted(report.skipped) == [("#2022-06-07-emacs.md", JEKYLL_IGNORES),
                                      ("2022-06-08-fifo.md", "not a regular file")]
    assert report.files == 4 == accounted(report)


def test_two_posts_of_one_name_in_two_subfolders_are_two_posts(store, posts, tmp_path):
    for year in ("2021", "2022"):
        (posts / year).mkdir()
        write(posts / year, "2022-01-01-note.md",
              f"---\ntitle: Note of {year}\ndate: 2022-01-01 10:00:00 +0000\n---\n{year} body\n")
    report = import_jekyll(store, posts)
    assert (report.imported, report.merged_articles) == (2, 0)
    out = tmp_path / "out"
    export_jekyll(store, out, raw=True)
    # one Jekyll URL for both names (/2022/01/01/note.html): the second gets its own
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*.md")) == [
        "2021/2022-01-01-note.md", "2022/2022-01-01-Note of 2022.md"]


def test_an_old_post_of_an_article_fetched_under_the_other_scheme_is_archived_already(
        store, posts):
    store.sync_sources([SourceSettings(SOURCE, "http://feed.example/rss")], now_ms=1)
    [source] = store.configured_sources()
    store.save_fetch(source, [Entry(title="同一篇", url="http://news.example/story/1", guid="g1",
                                    content_html="<p>x</p>")],
                     FetchRecord(1000, 1000, "ok", 200, 1))
    write(posts, "2022-02-01-a.md", seed_post(title="同一篇", url="https://news.example/story/1"))
    write(posts, "2022-02-01-b.md", seed_post(title="另一篇", url="https://news.example/story/2"))
    write(posts, "2022-02-02-b.md", seed_post(title="另一篇", url="http://news.example/story/2"))
    report = import_jekyll(store, posts)
    assert (report.already_archived, report.imported, report.merged_articles) == (1, 1, 1)
