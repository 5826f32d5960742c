"""What `export jekyll` writes of the archive's own articles: the link it trusts, and
posts that follow their source's name and tags."""

import shutil

import pytest
from zoneinfo import ZoneInfo

from newsvault.config import SourceSettings
from newsvault.export.jekyll import _finish_content, export_jekyll
from newsvault.export.jekyll_import import import_jekyll
from newsvault.export.post import parse_post
from newsvault.feeds.dates import parse_date
from newsvault.model import Attachment, Entry
from newsvault.store import FetchRecord, open_store

FEEDS = {"甲": "http://a.test/feed", "乙": "http://b.test/feed"}


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    configure(store, {"甲": ["时事"], "乙": []})
    yield store
    store.close()


def configure(store, tags: dict[str, list[str]], urls=FEEDS) -> None:
    store.sync_sources([SourceSettings(name, urls.get(name, FEEDS["甲"]), tags=source_tags)
                        for name, source_tags in tags.items()], now_ms=1)


def fetch(store, name: str, *entries: Entry) -> None:
    [source] = [s for s in store.configured_sources() if s.name == name]
    store.save_fetch(source, list(entries), FetchRecord(1000, 1000, "ok", 200, len(entries)))


def entry(n: int, source: str = "a", **changes) -> Entry:
    values = dict(title=f"标题 {n}", url=f"http://{source}.test/story/{n}", guid=f"{source}-{n}",
                  content_html=f"<p>正文 {n}</p>", published_ms=1_643_288_400_000 + n)
    return Entry(**{**values, **changes})


def posts(folder) -> dict[str, tuple]:
    found = {}
    for path in folder.iterdir():
        post = parse_post(path.read_text())
        found[path.name] = (post.author, post.tags, post.categories, path.stat().st_mtime_ns)
    return found


def test_a_link_that_is_not_http_is_not_written(store, tmp_path):
    fetch(store, "甲", entry(1, url="javascript:alert(document.cookie)"),
          entry(2, url=" DATA:text/html,<script>alert(1)</script>"))
    export_jekyll(store, tmp_path / "_posts", raw=True)
    for path in (tmp_path / "_posts").iterdir():
        text = path.read_text()
        assert "alert" not in text and 'from: ""' in text
        assert "\n[标题 " in text and "]()\n------\n" in text


def test_a_retagged_source_has_its_posts_written_again_and_only_those(store, tmp_path):
    fetch(store, "甲", entry(1), entry(2))
    fetch(store, "乙", entry(3, source="b"))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    before = posts(out)
    configure(store, {"甲": ["时事", "科技"], "乙": []})
    report = export_jekyll(store, out)
    after = posts(out)
    assert report.written == 2
    assert sorted(after) == sorted(before)  # the same files
    for name, (author, tags, categories, mtime) in after.items():
        if author == "甲":
            assert (tags, categories) == (["甲", "时事", "科技"], ["甲"])
        else:
            assert (tags, mtime) == (["乙"], before[name][3])
    assert export_jekyll(store, out).written == 0


def test_a_renamed_source_signs_its_posts_with_its_new_name(store, tmp_path):
    fetch(store, "甲", entry(1))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    [name] = posts(out)
    configure(store, {"甲（新）": ["时事"], "乙": []}, urls={"甲（新）": FEEDS["甲"], **FEEDS})
    export_jekyll(store, out)
    assert {name: value[:3] for name, value in posts(out).items()} == {
        name: ("甲（新）", ["甲（新）", "时事"], ["甲（新）"])}


LIQUID_HTML = "<p>{{ a }}</p>\n<p>{% endif %}</p>\n<pre>{%raw%}\n{{bbox}}</pre>"


def after_front_matter(path) -> str:
    text = path.read_text()
    return text[text.index("\n---\n", 3) + 5:]


@pytest.mark.parametrize("raw", [False, True])
def test_liquid_in_an_article_is_written_so_that_jekyll_shows_it(store, tmp_path, raw):
    fetch(store, "甲", entry(1, title="模板 {{ x }} {%if%}", content_html=LIQUID_HTML))
    out = tmp_path / "_posts"
    export_jekyll(store, out, raw=raw)
    [path] = out.iterdir()
    body = after_front_matter(path)
    assert "{{" not in body and "{%" not in body
    assert "&#123;{ a }}" in body and "&#123;% endif %}" in body and "&#123;%raw%}" in body
    assert "\n[模板 &#123;{ x }} &#123;%if%}](http://a.test/story/1)\n" in body
    assert parse_post(path.read_text()).title == "模板 {{ x }} {%if%}"
    written = path.read_bytes()
    assert export_jekyll(store, out, raw=raw, full=True).written == 0

    # the post read back into a new archive and written again: the same bytes, no &amp;#123;
    other = open_store(tmp_path / "other.db")
    try:
        assert import_jekyll(other, out).imported == 1
        report = export_jekyll(other, out, raw=raw, full=True)
        assert (report.written, report.unchanged) == (0, 1)
        assert path.read_bytes() == written
    finally:
        other.close()


def test_posts_an_older_newsvault_wrote_with_liquid_are_written_again_once(store, tmp_path):
    fetch(store, "甲", entry(1, content_html="<p>{{bbox}}</p>"), entry(2))
    out = tmp_path / "_posts"
    export_jekyll(store, out, raw=True)
    liquid = next(path for path in out.iterdir() if "&#123;" in path.read_text())
    liquid.write_text(liquid.read_text().replace("&#123;", "{"))  # as it was written
    store._db.execute("DELETE FROM exports")  # and recorded under the folder's old name
    store.set_export_seq(f"jekyll:raw:{out.resolve()}", store.current_seq())
    report = export_jekyll(store, out, raw=True)
    assert (report.written, report.unchanged) == (1, 1)
    assert "{{" not in after_front_matter(liquid)
    assert export_jekyll(store, out, raw=True).written == 0


# -- an archive older than its posts folder ---------------------------------------------


def reopened(store, db, copy_from=None):
    store.close()
    if copy_from is not None:
        shutil.copyfile(copy_from, db)
    store = open_store(db)
    configure(store, {"甲": ["时事"], "乙": []})
    return store


def test_an_older_database_restored_takes_over_the_posts_it_does_not_know(tmp_path):
    db, out = tmp_path / "newsvault.db", tmp_path / "_posts"
    store = open_store(db)
    configure(store, {"甲": ["时事"], "乙": []})
    fetch(store, "甲", entry(1))
    export_jekyll(store, out)
    store = reopened(store, db)
    shutil.copyfile(db, tmp_path / "older.db")  # the cache saved by this run
    fetch(store, "甲", entry(2), entry(3))
    export_jekyll(store, out)  # the next run's posts: pushed, its database lost
    files = {path.name: path.read_bytes() for path in out.iterdir()}
    assert len(files) == 3
    store = reopened(store, db, copy_from=tmp_path / "older.db")
    try:
        fetch(store, "甲", entry(2), entry(3), entry(4))
        report = export_jekyll(store, out)
        assert (report.adopted, report.written, report.unchanged) == (2, 1, 2)
        after = {path.name: path.read_bytes() for path in out.iterdir()}
        assert len(after) == 4 and not any(name.endswith("-2.md") for name in after)
        assert {name: after[name] for name in files} == files
        assert export_jekyll(store, out, full=True).written == 0
    finally:
        store.close()


def test_an_older_database_restored_takes_over_a_post_whose_title_was_edited_since(tmp_path):
    """Its name is the title it had then: the restored archive named it anew from the
    edited title, a second post, and the first one belonged to nothing."""
    db, out = tmp_path / "newsvault.db", tmp_path / "_posts"
    store = open_store(db)
    configure(store, {"甲": []})
    export_jekyll(store, out)
    shutil.copyfile(db, tmp_path / "older.db")  # the cache saved by this run
    fetch(store, "甲", entry(2, title="原标题"))
    export_jekyll(store, out, raw=True)  # pushed; its database lost
    [written] = [path.name for path in out.iterdir()]
    store = reopened(store, db, copy_from=tmp_path / "older.db")
    try:
        fetch(store, "甲", entry(2, title="改过的标题"))
        report = export_jekyll(store, out, raw=True)
        assert (report.adopted, report.written) == (1, 1)
        [post] = out.iterdir()
        assert post.name == written and '\ntitle: "改过的标题"\n' in post.read_text()
    finally:
        store.close()


def test_a_fresh_database_beside_the_posts_takes_them_over_even_a_second_of_one_name(tmp_path):
    out = tmp_path / "_posts"
    first = open_store(tmp_path / "first.db")
    configure(first, {"甲": []})
    same_name = [entry(1, title="同名"), entry(2, title="同名")]
    fetch(first, "甲", *same_name)
    export_jekyll(first, out, raw=True)
    first.close()
    files = {path.name: path.read_bytes() for path in out.iterdir()}
    second = next(name for name in files if name.endswith("-同名-2.md"))
    assert sorted(files) == [second, second.replace("-2.md", ".md")]
    # stale text in one of them: taken over and written again, in place
    (out / second).write_bytes(files[second].replace(
        "<p>正文 ".encode(), "<p>旧 ".encode()))
    clone = open_store(tmp_path / "clone.db")  # a new machine: the site cloned, no database
    try:
        configure(clone, {"甲": []})
        fetch(clone, "甲", *reversed(same_name))
        report = export_jekyll(clone, out, raw=True)
        assert (report.adopted, report.written, report.unchanged) == (2, 1, 1)
        assert {path.name: path.read_bytes() for path in out.iterdir()} == files
    finally:
        clone.close()


def test_a_post_file_of_another_article_with_the_name_still_gives_a_second_name(store, tmp_path):
    out = tmp_path / "_posts"
    other = open_store(tmp_path / "other.db")  # another article of that title and day
    configure(other, {"甲": []})
    fetch(other, "甲", entry(1, url="http://a.test/story/99", guid="a-99"))
    export_jekyll(other, out)
    other.close()
    [name] = [path.name for path in out.iterdir()]
    theirs = (out / name).read_bytes()
    (out / "1970-01-01-broken.md").write_text("not a post")
    fetch(store, "甲", entry(1))
    report = export_jekyll(store, out)
    assert (report.adopted, report.written) == (0, 1)
    assert (out / name).read_bytes() == theirs
    assert "from: http://a.test/story/1\n" in (out / name.replace(".md", "-2.md")).read_text()


def fetched_at(store, seen: str, *entries: Entry) -> None:
    [source] = [s for s in store.configured_sources() if s.name == "甲"]
    seen_ms = parse_date(seen)
    store.save_fetch(source, list(entries), FetchRecord(seen_ms, seen_ms, "ok", 200, 1))


@pytest.mark.parametrize(("zone", "second"), [
    ("Asia/Shanghai", "2022-01-28-早间新闻-2.md"),  # both on 01-28 there: one URL without -2
    ("UTC", "2022-01-28-早间新闻.md"),  # two days: two URLs already
])
def test_one_title_twice_on_one_day_of_the_sites_zone_gets_a_second_name(
        store, tmp_path, zone, second):
    """Jekyll dates a post's URL in the site's timezone (checked with `jekyll build`):
    23:30 UTC is 07:30 the next day in Beijing, the day of a 02:00 UTC post of the same
    title, and Jekyll would write only one of them."""
    out = tmp_path / "_posts"
    early = entry(1, title="早间新闻", published_ms=parse_date("2022-01-27T23:30:00Z"))
    fetched_at(store, "2022-01-28T00:00:00Z", early)
    export_jekyll(store, out, zone=ZoneInfo(zone))  # named in an earlier export: from the store
    later = entry(2, title="早间新闻", published_ms=parse_date("2022-01-28T02:00:00Z"))
    fetched_at(store, "2022-01-28T03:00:00Z", later)
    export_jekyll(store, out, zone=ZoneInfo(zone))
    assert sorted(path.name for path in out.iterdir()) == ["2022-01-27-早间新闻.md", second]


def test_posts_named_in_one_export_are_checked_against_each_other_in_the_sites_zone(
        store, tmp_path):
    fetched_at(store, "2022-01-28T03:00:00Z",
               entry(1, title="早间新闻", published_ms=parse_date("2022-01-27T23:30:00Z")),
               entry(2, title="早间新闻", published_ms=parse_date("2022-01-28T02:00:00Z")))
    export_jekyll(store, tmp_path / "_posts", zone=ZoneInfo("Asia/Shanghai"))
    assert sorted(path.name for path in (tmp_path / "_posts").iterdir()) == [
        "2022-01-27-早间新闻.md", "2022-01-28-早间新闻-2.md"]


@pytest.mark.parametrize(("name", "category"), [
    ("24:7 News", "24：7 News"),  # Jekyll reads "24" as a URL scheme and stops the build
    ("新闻:国际", "新闻：国际"),
    ("Reuters: World", "Reuters: World"),  # a scheme Addressable takes: Jekyll builds it
    # a scheme and a host it refuses (a space, a port that is no number): checked with Jekyll
    ("http://news.example: front page", "http：//news.example： front page"),
    ("TV://Live:Now", "TV：//Live：Now"),
    ("Why? News", "Why？ News"),  # Jekyll leaves "?" in the URL: the page cannot be reached
    ("联合早报", "联合早报"),
])
def test_a_source_name_jekyll_cannot_put_in_a_url_is_a_category_it_can(tmp_path, name, category):
    store = open_store(tmp_path / "newsvault.db")
    configure(store, {name: []}, urls={name: "http://a.test/feed"})
    fetch(store, name, entry(1))
    export_jekyll(store, tmp_path / "_posts")
    [(author, tags, categories, _)] = posts(tmp_path / "_posts").values()
    assert (author, tags, categories) == (name, [name], [category])  # the name stays the name
    store.close()


def test_posts_an_older_newsvault_wrote_with_such_a_category_are_written_again_once(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    configure(store, {"24:7 News": []}, urls={"24:7 News": "http://a.test/feed"})
    fetch(store, "24:7 News", entry(1), entry(2))
    out = tmp_path / "_posts"
    export_jekyll(store, out, raw=True)
    first = sorted(out.iterdir())[0]
    first.write_text(first.read_text().replace("24：7", "24:7"))  # as it was written
    store._db.execute("DELETE FROM exports")  # and recorded under the folder's old name
    store.set_export_seq(f"jekyll:raw posts 2:{out.resolve()}", store.current_seq())
    report = export_jekyll(store, out, raw=True)
    assert (report.written, report.unchanged) == (1, 1)
    assert "categories: [ 24：7 News ]" in first.read_text()
    assert export_jekyll(store, out, raw=True).written == 0
    store.close()


# -- the picture an item gives beside its content -------------------------------------------


def body_of(folder, name_part: str = "") -> str:
    [path] = [path for path in folder.iterdir() if name_part in path.name]
    return after_front_matter(path)


def test_a_text_articles_picture_is_shown_before_it_and_only_there(store, tmp_path):
    picture = "https://img.example/lead.jpg?w=800&h=600"
    fetch(store, "甲", entry(1, image=picture),
          entry(2, image=picture, content_html='<p>正文 <img src="https://img.example/own.jpg"></p>'))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    lead = body_of(out, "标题 1")
    assert '<figure><img src="https://img.example/lead.jpg?w=800&amp;h=600"' in lead
    assert lead.index("<figure>") < lead.index("正文 1")
    own = body_of(out, "标题 2")  # the content shows its own image: no second one
    assert "lead.jpg" not in own and "own.jpg" in own
    raw = tmp_path / "raw"
    export_jekyll(store, raw, raw=True)  # the HTML exactly as the source gave it
    assert "lead.jpg" not in body_of(raw, "标题 1")


def test_a_picture_named_later_is_kept_without_a_revision(store, tmp_path):
    fetch(store, "甲", entry(1))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    fetch(store, "甲", entry(1, image="https://img.example/later.jpg"))
    fetch(store, "甲", entry(1))  # an item that no longer names it keeps the one it had
    assert export_jekyll(store, out).written == 1
    assert "later.jpg" in body_of(out)
    [row] = list(store.export_rows())
    assert row.revisions == 1


def test_an_item_without_a_title_is_titled_by_the_start_of_its_text(store, tmp_path):
    """A theme lists posts by title: `title: ""` and `[](…)` were entries no one could see
    or click. The archive keeps the title it had (none); the file keeps its name."""
    long_text = "港口今晨恢复通航，" * 10
    fetch(store, "甲", entry(1, title="", content_html=f"<p>{long_text}</p>"),
          entry(2, title=" ", content_html="<p>短讯一则</p>"),
          entry(3, title="", content_html="<img src='http://a.test/x.png'>"))
    out = tmp_path / "_posts"
    export_jekyll(store, out, raw=True)
    texts = {path.name: path.read_text() for path in out.iterdir()}
    lead = long_text[:30] + "…"
    assert f'\ntitle: "{lead}"\n' in texts["1970-01-01-untitled.md"]
    assert f"\n[{lead}](http://a.test/story/1)\n" in texts["1970-01-01-untitled.md"]
    assert '\ntitle: "短讯一则"\n' in texts["1970-01-01-untitled-2.md"]
    assert '\ntitle: ""\n' in texts["1970-01-01-untitled-3.md"]  # no text to title it by
    assert [row.title for row in store.export_rows()] == ["", " ", ""]


# -- the files an item carries ---------------------------------------------------------------

EPISODE = Attachment("https://cdn.example/ep1.mp3", "audio/mpeg", 1_500_000)
PLAYER = '<figure><audio controls preload="none" src="https://cdn.example/ep1.mp3"></audio>'


def test_an_episodes_audio_is_played_after_its_text_and_raw_stays_the_sources(store, tmp_path):
    fetch(store, "甲", entry(1, attachments=[EPISODE]))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    body = body_of(out)
    assert PLAYER in body and "(audio/mpeg, 1.5 MB)" in body
    assert body.index("正文 1") < body.index("<audio")
    raw = tmp_path / "raw"
    export_jekyll(store, raw, raw=True)
    assert "ep1.mp3" not in body_of(raw)


def test_files_named_later_rewrite_the_post_without_a_revision(store, tmp_path):
    fetch(store, "甲", entry(1))
    out = tmp_path / "_posts"
    export_jekyll(store, out)
    fetch(store, "甲", entry(1, attachments=[EPISODE]))
    assert export_jekyll(store, out).written == 1
    assert PLAYER in body_of(out)
    assert [row.revisions for row in store.export_rows()] == [1]


def test_an_article_changed_after_the_clean_update_is_exported_with_its_files(store):
    """A fetch between the clean update and the export: the post is cleaned on the spot,
    as the site shows it."""
    fetch(store, "甲", entry(1, attachments=[EPISODE]))
    [row] = store.export_rows(clean=True, content_bytes=True)
    assert not row.clean
    _finish_content(store, row, False, None)
    assert PLAYER in row.content_html.decode()


def test_an_untitled_items_post_read_back_into_a_new_database_is_no_edit(store, tmp_path):
    """The workflow's rebuild: the post's made-up title came back as the article's, the
    feed's empty one then read as an edit, and the post went back to title: ""."""
    untitled = entry(1, title="", content_html="<p>港口今晨恢复通航，货轮陆续进港。</p>")
    fetch(store, "甲", untitled)
    out = tmp_path / "_posts"
    export_jekyll(store, out, raw=True)
    [post] = out.iterdir()
    written = post.read_bytes()
    rebuilt = open_store(tmp_path / "rebuilt.db")
    configure(rebuilt, {"甲": ["时事"]})
    import_jekyll(rebuilt, out)
    fetch(rebuilt, "甲", untitled)
    assert [row.revisions for row in rebuilt.export_rows()] == [1]
    assert export_jekyll(rebuilt, out, raw=True).written == 0 and post.read_bytes() == written
    rebuilt.close()
