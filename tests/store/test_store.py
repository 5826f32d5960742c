"""The store of record: identity, revisions, duplicates, the fetch log, migrations."""

import sqlite3

import pytest

from newsvault.config import SourceSettings
from newsvault.feeds import parse_feed
from newsvault.model import Attachment, Entry
from newsvault.store import (
    ArchivedArticle, ArchivedVersion, FetchRecord, StoreError, open_store,
)
from newsvault.store.identity import canonical_url, content_hash
from newsvault.store.schema import MIGRATIONS


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    store.sync_sources([SourceSettings("甲", "http://a.test/feed"),
                        SourceSettings("乙", "http://b.test/feed")], now_ms=1)
    yield store
    store.close()


def sources(store):
    return {source.name: source for source in store.configured_sources()}


def save(store, source_name, entries, at=1000):
    source = sources(store)[source_name]
    return store.save_fetch(source, entries, FetchRecord(at, at, "ok", 200, items=len(entries)))


def item(n, **changes):
    values = dict(title=f"标题 {n}", url=f"http://a.test/story/{n}", guid=f"guid-{n}",
                  content_html=f"<p>正文 {n}</p>", published_ms=1_600_000_000_000 + n)
    values.update(changes)
    return Entry(**values)


def test_new_items_are_archived_once_and_a_rerun_adds_nothing(store):
    first = save(store, "甲", [item(1), item(2)])
    again = save(store, "甲", [item(1), item(2)], at=2000)
    assert (first.new, first.updated) == (2, 0)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert store.totals()["articles"] == 2


def test_duplicated_guids_and_links_inside_one_feed_make_one_article(store):
    same_guid = item(1, url="http://a.test/other")
    same_link = item(1, guid="another-guid", title="另一个标题")
    counts = save(store, "甲", [item(1), same_guid, same_link])
    assert counts.new == 1
    assert store.totals() == {"sources": 2, "articles": 1, "versions": 1, "fetch_runs": 1}


def test_a_changed_title_or_content_becomes_a_revision_and_keeps_the_old_one(store):
    save(store, "甲", [item(1)], at=1000)
    counts = save(store, "甲", [item(1, title="改过的标题")], at=2000)
    save(store, "甲", [item(1, title="改过的标题", content_html="<p>新正文</p>")], at=3000)
    assert counts.updated == 1
    [row] = list(store.export_rows())
    assert (row.title, row.content_html) == ("改过的标题", "<p>新正文</p>")
    db = sqlite3.connect(store.path)
    old = db.execute("SELECT seen_ms, title, content_html FROM revisions ORDER BY id").fetchall()
    assert old == [(1000, "标题 1", "<p>正文 1</p>"), (2000, "改过的标题", "<p>正文 1</p>")]
    assert store.totals()["versions"] == 3


def test_white_space_alone_is_no_revision(store):
    save(store, "甲", [item(1, content_html="<p>正文 1</p><p>Body  text</p>")])
    counts = save(store, "甲", [item(1, content_html="\n<p>正文 1</p>\n  <p>Body\ntext</p>\n")],
                  at=2000)
    edited = save(store, "甲", [item(1, content_html="<p>正文 1</p><p>Bodytext</p>")], at=3000)
    assert (counts.updated, counts.unchanged, edited.updated) == (0, 1, 1)


def test_a_title_an_older_parser_left_escaped_is_corrected_without_a_revision(store):
    save(store, "甲", [item(1, title="Tom &amp; Jerry&#8217;s <b>新闻</b>")])
    [before] = list(store.export_rows())
    counts = save(store, "甲", [item(1, title="Tom & Jerry’s 新闻")], at=2000)
    [row] = list(store.export_rows())
    assert (counts.updated, counts.unchanged) == (0, 1)
    assert (row.title, row.revisions) == ("Tom & Jerry’s 新闻", 1)
    assert row.change_seq > before.change_seq  # posts and pages show the corrected title
    assert save(store, "甲", [item(1, title="Tom & Jerry’s 新闻")], at=3000).unchanged == 1
    assert save(store, "甲", [item(1, title="Tom & Jerry’s 旧闻")], at=4000).updated == 1


def test_a_title_whose_line_break_an_older_parser_dropped_is_corrected_without_a_revision(store):
    save(store, "甲", [item(1, title="第一行第二行")])  # "第一行<br>第二行", read before
    counts = save(store, "甲", [item(1, title="第一行 第二行")], at=2000)
    [row] = list(store.export_rows())
    assert (counts.updated, row.title, row.revisions) == (0, "第一行 第二行", 1)
    assert save(store, "甲", [item(1, title="第一行 第三行")], at=3000).updated == 1


BIG5_NAME = "約翰‧史密斯"
ATOM = ('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
        "<title>t</title>")
ATOM_ENTRY = '<entry><id>guid-1</id><title>标题 1</title><link href="http://a.test/story/1"/>'
# (feed, the item as an older newsvault read it, the title and content read now)
READ_ANOTHER_WAY = {
    "c1 controls kept": (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>c1</title><item>'
        "<guid>guid-1</guid><link>http://a.test/story/1</link><title>It&#146;s</title>"
        "<description>Don&#146;t &#150; panic</description></item></channel></rss>",
        dict(title="It\x92s", content_html="Don\x92t \x96 panic"),
        ("It\u2019s", "Don\u2019t \u2013 panic")),
    "big5 punctuation read as hkscs": (
        b'<?xml version="1.0" encoding="big5-hkscs"?><rss version="2.0"><channel><item>'
        b"<guid>guid-1</guid><link>http://a.test/story/1</link><title>"
        + BIG5_NAME.encode("cp950") + b"</title><description>" + "嘅".encode("big5hkscs")
        + "～".encode("cp950") + b"</description></item></channel></rss>",
        dict(title="約翰•史密斯", content_html="嘅∼"),
        (BIG5_NAME, "嘅～")),
    "atom text read as html": (
        f"{ATOM}{ATOM_ENTRY}<content>How to use the &lt;p&gt; element</content></entry></feed>",
        dict(content_html="How to use the <p> element"),
        ("标题 1", "<p>How to use the &lt;p&gt; element</p>")),
    "a video's description not read": (
        f"{ATOM}{ATOM_ENTRY}<media:group><media:description>视频简介</media:description>"
        "</media:group></entry></feed>",
        dict(content_html=""),
        ("标题 1", "<p>视频简介</p>")),
    "a video's description read as markup": (
        f"{ATOM}{ATOM_ENTRY}<media:group><media:description>第一行\n第二行 Q&amp;A"
        "</media:description></media:group></entry></feed>",
        dict(content_html="第一行\n第二行 Q&amp;A"),
        ("标题 1", "<p>第一行<br>第二行 Q&amp;A</p>")),
    "xhtml kept prefixed": (
        f'{ATOM}{ATOM_ENTRY}<content type="xhtml">'
        '<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>正文 <xhtml:b>1'
        "</xhtml:b></xhtml:p></xhtml:div></content></entry></feed>",
        dict(content_html="<xhtml:p>正文 <xhtml:b>1</xhtml:b></xhtml:p>"),
        ("标题 1", "<p>正文 <b>1</b></p>")),
}


@pytest.mark.parametrize("feed, as_read_before, read_now", READ_ANOTHER_WAY.values(),
                         ids=READ_ANOTHER_WAY)
def test_what_an_older_parser_read_another_way_is_corrected_without_a_revision(
        store, feed, as_read_before, read_now):
    body = feed.encode() if isinstance(feed, str) else feed
    [fetched] = parse_feed(body, url="http://a.test/feed").entries
    assert (fetched.title, fetched.content_html) == read_now
    save(store, "甲", [item(1, **as_read_before)])
    [before] = list(store.export_rows())
    counts = save(store, "甲", [fetched], at=2000)
    [row] = list(store.export_rows())
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert (row.title, row.content_html, row.revisions) == (*read_now, 1)
    assert row.change_seq > before.change_seq
    assert save(store, "甲", [fetched], at=3000).unchanged == 1
    edited = item(1, title=read_now[0], content_html="<p>改过</p>")
    assert save(store, "甲", [edited], at=4000).updated == 1


def test_an_author_read_another_way_is_no_new_article_nor_a_revision(store):
    body = ('<rss version="2.0"><channel><title>t</title><item><guid>guid-1</guid>'
            "<link>http://a.test/story/1</link><title>标题 1</title><description>&lt;p&gt;正文 1"
            "&lt;/p&gt;</description><author>jdoe@example.com (John Doe)</author></item>"
            "</channel></rss>").encode()
    [fetched] = parse_feed(body, url="http://a.test/feed").entries
    assert fetched.author == "John Doe"
    save(store, "甲", [item(1, author="jdoe@example.com (John Doe)")])  # as read before
    counts = save(store, "甲", [fetched], at=2000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert store.totals()["articles"] == 1


def test_feedburner_items_archived_under_their_proxy_links_are_found_again(store):
    body = ('<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            "<channel><title>t</title>"
            "<item><title>一</title><link>http://feedproxy.google.com/~r/x/~3/1/</link>"
            "<guid isPermaLink='false'>p-1</guid><description>正文一</description>"
            "<feedburner:origLink>http://a.test/story/1</feedburner:origLink></item>"
            "<item><title>二</title><link>http://feedproxy.google.com/~r/x/~3/2/</link>"
            "<description>正文二</description>"
            "<feedburner:origLink>http://a.test/story/2</feedburner:origLink></item>"
            "</channel></rss>").encode()
    fetched = parse_feed(body, url="http://a.test/feed").entries
    as_read_before = [Entry(title="一", url="http://feedproxy.google.com/~r/x/~3/1/", guid="p-1",
                            content_html="正文一"),
                      Entry(title="二", url="http://feedproxy.google.com/~r/x/~3/2/",
                            content_html="正文二")]
    assert save(store, "甲", as_read_before).new == 2
    counts = save(store, "甲", fetched, at=2000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 2)
    assert store.totals()["articles"] == 2
    # a new item is archived under its own address: the site's own feed carries the same
    new_item = body.replace(b"p-1", b"p-3").replace(b"story/1", b"story/3").replace(
        b"~3/1/", b"~3/3/")
    assert save(store, "甲", parse_feed(new_item, url="http://a.test/feed").entries[:1],
                at=3000).new == 1
    assert save(store, "乙", [item(3, guid="own-3")], at=4000).new == 0


def test_an_item_with_a_guid_finds_the_post_an_older_newsvault_wrote_under_its_proxy_link(
        store):
    """Rebuilt from posts whose from: is the proxy link (the workflow's cache miss), the
    archive knew neither the item's guid nor its own address: a second post was written."""
    proxy = "http://feedproxy.google.com/~r/x/~3/1/"
    body = ('<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            f"<channel><title>t</title><item><title>一</title><link>{proxy}</link>"
            "<guid isPermaLink='false'>p-1</guid><description>正文一</description>"
            "<feedburner:origLink>http://a.test/story/1</feedburner:origLink></item>"
            "</channel></rss>").encode()
    [fetched] = parse_feed(body, url="http://a.test/feed").entries
    assert (fetched.url, fetched.proxy_url) == ("http://a.test/story/1", proxy)
    source_id = sources(store)["甲"].id
    store.import_articles([ArchivedArticle(
        source_id=source_id, url=proxy, guid=proxy, author=None, published_ms=1,
        first_seen_ms=1, tags=[], versions=[ArchivedVersion(1, "一", "正文一")],
        post_name="1970-01-01-一.md", post_layout={"date": "1970-01-01", "revisions": 1})])
    counts = save(store, "甲", [fetched], at=2000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert store.totals()["articles"] == 1


@pytest.mark.parametrize("posted, title", [
    ("Its raining cats", "It&#146;s raining &#147;cats&#148;"),  # the controls dropped
    ("Photo: <b>markets</b> & more", "Photo: &lt;b&gt;markets&lt;/b&gt; &amp; more"),
], ids=["c1 controls", "tags in the title"])
def test_a_post_an_older_newsvault_wrote_of_a_title_read_another_way_is_no_edit(
        store, posted, title):
    """Rebuilt from such posts, the feed's unchanged item was a revision of each."""
    body = ('<rss version="2.0"><channel><title>t</title><item><guid>http://a.test/1</guid>'
            f"<link>http://a.test/1</link><title>{title}</title>"
            "<description>正文一</description></item></channel></rss>").encode()
    [fetched] = parse_feed(body, url="http://a.test/feed").entries
    assert fetched.title != posted
    store.import_articles([ArchivedArticle(
        source_id=sources(store)["甲"].id, url="http://a.test/1", author=None, published_ms=1,
        first_seen_ms=1, tags=[], versions=[ArchivedVersion(1, posted, "<div>正文一</div>")],
        post_name="1970-01-01-x.md", post_layout={"date": "1970-01-01", "revisions": 1})])
    counts = save(store, "甲", [fetched], at=2000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)


def test_content_is_stored_as_text_exactly_new_and_revised(store):
    # the writer hands SQLite the content as UTF-8 bytes: it must still be text in the file
    content = "<p>正文 \u00e9 😀 \u2028 \x00 end</p>"
    save(store, "甲", [item(1, content_html=content)], at=1000)
    save(store, "甲", [item(1, content_html=content + "!")], at=2000)
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT typeof(content_html), content_html FROM articles").fetchall() \
        == [("text", content + "!")]
    assert db.execute("SELECT typeof(content_html), content_html FROM revisions").fetchall() \
        == [("text", content)]


def test_an_article_seen_in_a_second_source_keeps_its_first_source(store):
    save(store, "甲", [item(1)])
    counts = save(store, "乙", [item(1, guid="b-1", url="HTTP://A.test/story/1?utm_source=x#top")])
    assert (counts.new, counts.unchanged) == (0, 1)
    [row] = list(store.export_rows())
    assert row.source_name == "甲"
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT COUNT(*) FROM also_in").fetchone()[0] == 1


def test_a_site_that_moves_to_https_keeps_its_articles(store):
    """The same pages under https (guids that were the links change with them): the
    archived articles, not new ones; an edit seen then is their revision."""
    save(store, "甲", [item(1, guid=None), item(2, guid="http://a.test/story/2")])
    moved = [item(1, guid=None, url="https://a.test/story/1"),
             item(2, guid="https://a.test/story/2", url="https://a.test/story/2",
                  title="改过的标题")]
    counts = save(store, "甲", moved, at=2000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    assert store.totals()["articles"] == 2
    # and both in one feed are one item
    both = save(store, "乙", [item(3, guid="b-3", url="http://b.test/3"),
                              item(3, guid="b-3s", url="https://b.test/3")], at=3000)
    assert both.new == 1 and store.totals()["articles"] == 3


def test_a_second_source_does_not_revise_an_article_its_first_source_still_fetches(store):
    save(store, "甲", [item(1)])
    counts = save(store, "乙", [item(1, guid="b-1", title="乙的标题")], at=2000)
    assert (counts.updated, counts.unchanged) == (0, 1)
    assert [row.title for row in store.export_rows()] == ["标题 1"]


def test_a_renamed_source_keeps_its_articles_state_and_later_edits(store):
    source = sources(store)["甲"]
    source.etag = '"v1"'
    store.save_fetch(source, [item(1)], FetchRecord(1000, 1000, "ok", 200))
    store.sync_sources([SourceSettings("甲（新名）", "http://a.test/feed"),
                        SourceSettings("乙", "http://b.test/feed")], now_ms=2)
    renamed = sources(store)["甲（新名）"]
    assert (renamed.id, renamed.etag) == (source.id, '"v1"')
    counts = save(store, "甲（新名）", [item(1, title="改过的标题")], at=2000)
    assert (counts.new, counts.updated) == (0, 1)
    [row] = list(store.export_rows())
    assert (row.source_name, row.title, row.revisions) == ("甲（新名）", "改过的标题", 2)
    assert store.totals()["sources"] == 2


def test_a_new_name_takes_over_the_unlisted_source_at_its_url_configured_last_and_only_one(
        store):
    old = sources(store)["甲"]
    store.sync_sources([SourceSettings("乙", "http://b.test/feed")], now_ms=2)  # 甲 unlisted
    store.sync_sources([SourceSettings("丙", "http://a.test/feed"),
                        SourceSettings("乙", "http://b.test/feed")], now_ms=3)  # 甲 renamed 丙
    store.sync_sources([SourceSettings("乙", "http://b.test/feed")], now_ms=4)  # 丙 unlisted
    store.sync_sources([SourceSettings("丁", "http://a.test/feed"),
                        SourceSettings("戊", "http://a.test/feed"),
                        SourceSettings("乙", "http://b.test/feed")], now_ms=5)
    now = sources(store)
    assert now["丁"].id == old.id and now["戊"].id != old.id  # one source, one new name
    assert set(now) == {"乙", "丁", "戊"} and store.totals()["sources"] == 3


def test_a_source_renamed_while_its_old_name_goes_to_another_feed_keeps_its_articles(store):
    source = sources(store)["甲"]
    source.etag = '"v1"'
    store.save_fetch(source, [item(1)], FetchRecord(1000, 1000, "ok", 200))
    store.sync_sources([SourceSettings("甲（中文）", "http://a.test/feed"),  # the same URL
                        SourceSettings("甲", "http://en.a.test/feed"),  # its old name, a new feed
                        SourceSettings("乙", "http://b.test/feed")], now_ms=2)
    now = sources(store)
    assert (now["甲（中文）"].id, now["甲（中文）"].etag) == (source.id, '"v1"')
    assert now["甲"].id != source.id and now["甲"].url == "http://en.a.test/feed"
    [row] = list(store.export_rows())
    assert row.source_name == "甲（中文）"  # its posts signed with the name of their feed


def test_an_article_whose_source_is_no_longer_fetched_is_revised_by_the_first_that_carries_it(
        store):
    save(store, "甲", [item(1)])
    store.sync_sources([SourceSettings("乙", "http://b.test/feed"),
                        SourceSettings("丙", "http://c.test/feed")], now_ms=2)
    edited = item(1, guid="b-1", title="改过的标题")
    first = save(store, "乙", [edited], at=2000)
    other = save(store, "丙", [item(1, guid="c-1", title="丙的标题")], at=3000)
    assert (first.updated, other.updated, other.unchanged) == (1, 0, 1)
    [row] = list(store.export_rows())
    assert (row.source_name, row.title, row.revisions) == ("甲", "改过的标题", 2)
    assert save(store, "乙", [edited], at=4000).unchanged == 1


def test_a_guid_that_items_with_different_links_share_identifies_none_of_them(store):
    site = "https://cms.example.com/"  # every item's guid, as some CMSs write it
    first = save(store, "甲", [item(n, guid=site) for n in (1, 2, 3)])
    later = save(store, "甲", [item(n, guid=site) for n in (4, 1, 2, 3)], at=2000)
    assert (first.new, later.new, later.updated, later.unchanged) == (3, 1, 0, 3)
    assert sorted(row.title for row in store.export_rows()) == [f"标题 {n}" for n in (1, 2, 3, 4)]


def test_a_link_that_items_with_their_own_guids_share_identifies_none_of_them(store):
    """A podcast whose every episode links to the show's page: the first episode was
    archived, the others dropped as its repeats (or a new one made an "edit" of it)."""
    show = "https://pod.example.com/"
    episode = lambda n: item(n, url=show, guid=f"pod-ep-{n}")  # noqa: E731
    first = save(store, "甲", [episode(1)])
    later = save(store, "甲", [episode(n) for n in (4, 3, 2, 1)], at=2000)
    again = save(store, "甲", [episode(n) for n in (5, 4, 3, 2, 1)], at=3000)
    assert (first.new, later.new, later.updated, later.unchanged) == (1, 3, 0, 1)
    assert (again.new, again.updated, again.unchanged) == (1, 0, 4)
    rows = list(store.export_rows())
    assert sorted((row.title, row.revisions) for row in rows) == \
        [(f"标题 {n}", 1) for n in range(1, 6)]
    assert {row.url for row in rows} == {show}
    assert save(store, "乙", [item(6, url=show)], at=4000).new == 1  # another show's, too


def test_a_page_three_items_of_a_feed_share_identifies_none_of_them(store):
    """A podcast whose episodes link to the show's page: one was kept, the others dropped
    as its repeats, and each new one taken for an edit of the last."""
    show = "https://pod.example.com/shows/planet"
    episode = lambda n: item(n, url=show, guid=f"ep-{n}")  # noqa: E731
    assert save(store, "甲", [episode(n) for n in (3, 2, 1)]).new == 3
    later = save(store, "甲", [episode(n) for n in (4, 3, 2)], at=2000)
    assert (later.new, later.updated, later.unchanged) == (1, 0, 2)
    assert sorted(row.title for row in store.export_rows()) == [f"标题 {n}" for n in range(1, 5)]
    # two items under one link may be one story listed twice: the first is kept
    assert save(store, "乙", [item(8, url="https://b.test/x", guid="x-1"),
                              item(9, url="https://b.test/x", guid="x-2")]).new == 1


def test_a_changelogs_anchors_are_its_items(store):
    versions = [item(n, url=f"https://tool.example.org/news.html#v1.{n}", guid=None)
                for n in (3, 2, 1)]
    assert save(store, "甲", versions).new == 3
    assert save(store, "乙", [item(9, url="https://tool.example.org/news.html#v1.3",
                                   guid=None)]).new == 1  # the page names none of them


def test_items_without_guid_or_link_are_told_apart_by_their_text(store):
    counts = save(store, "甲", [item(1, guid=None, url=None), item(2, guid=None, url=None)])
    again = save(store, "甲", [item(1, guid=None, url=None)])
    assert counts.new == 2 and again.unchanged == 1


def test_canonical_url_drops_only_what_does_not_change_the_page():
    assert canonical_url("HTTPS://Example.COM:443/a?b=1&utm_medium=x#frag") == "https://example.com/a?b=1"
    assert canonical_url("http://example.com/a?id=7") == "http://example.com/a?id=7"
    assert canonical_url("http://example.com:8080") == "http://example.com:8080/"
    assert canonical_url(None) is None


def test_source_state_and_failures_are_logged(store):
    source = sources(store)["甲"]
    for at in (1, 2):
        store.save_fetch_failure(source, FetchRecord(at, at, "error", 500, error="fetch: boom"))
        source = sources(store)["甲"]
    assert source.consecutive_failures == 2
    status = {row.name: row for row in store.source_statuses()}["甲"]
    assert (status.last_status, status.last_error) == ("error", "fetch: boom")
    source.etag = '"v1"'
    store.save_fetch(source, [item(1)], FetchRecord(3, 3, "ok", 200, moved_to="http://a.test/new"))
    source = sources(store)["甲"]
    assert (source.consecutive_failures, source.etag, source.url) == (0, '"v1"', "http://a.test/new")


def test_changing_a_source_url_in_the_config_forgets_the_old_state(store):
    source = sources(store)["甲"]
    source.etag, source.dead = '"x"', True
    store.save_fetch_failure(source, FetchRecord(1, 1, "error", 410, error="gone"))
    store.sync_sources([SourceSettings("甲", "http://a.test/moved")], now_ms=2)
    fresh = store.configured_sources()
    assert [(s.name, s.url, s.etag, s.dead) for s in fresh] == [("甲", "http://a.test/moved", None, False)]


def test_imported_articles_keep_their_versions_and_a_known_link_fails_the_whole_batch(store):
    source_id = store.ensure_source("旧站", "", now_ms=1)
    article = ArchivedArticle(
        source_id=source_id, url="http://old.test/1", author="作者", published_ms=5,
        first_seen_ms=5, tags=["旧站"], post_name="2020-01-01-x.md",
        versions=[ArchivedVersion(5, "v1", "<p>1</p>"), ArchivedVersion(9, "v2", "<p>2</p>")],
    )
    assert store.import_articles([article]) == 1
    link = "http://old.test/1"
    assert store.archived_import_keys([link, "http://old.test/2"], [(source_id, link)]) == (
        {link}, {(source_id, link)})
    newer = ArchivedArticle(source_id=source_id, url="http://old.test/2", author=None,
                            published_ms=None, first_seen_ms=7, tags=[],
                            versions=[ArchivedVersion(7, "v", "<p>v</p>")])
    with pytest.raises(StoreError, match="nothing was imported"):  # never silently dropped
        store.import_articles([newer, article])
    [row] = list(store.export_rows())
    assert (row.title, row.post_name) == ("v2", "2020-01-01-x.md")
    assert store.totals()["versions"] == 2


def test_migrations_are_recorded_and_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "newsvault.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(Exception, match="newer newsvault"):
        open_store(path)


def test_change_sequence_drives_incremental_exports(store):
    save(store, "甲", [item(1), item(2)])
    seq = store.current_seq()
    save(store, "甲", [item(2, title="变了"), item(3)], at=2000)
    changed = [row.title for row in store.export_rows(after_seq=seq)]
    assert changed == ["变了", "标题 3"]


def test_a_full_disk_is_a_store_error_and_loses_nothing(store):
    """SQLite says "database or disk is full" (here: a page limit): the step is rolled back
    and said as a StoreError, which every command reports without a traceback."""
    save(store, "甲", [item(1)])
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    big = [item(n, content_html="<p>" + "长文" * 20_000 + "</p>") for n in range(2, 6)]
    with pytest.raises(StoreError, match="database or disk is full; nothing of this step"):
        save(store, "甲", big, at=2000)
    store._db.execute("PRAGMA max_page_count = 1073741823")
    assert store.totals()["articles"] == 1 and store.integrity_check() == "ok"
    assert save(store, "甲", big, at=3000).new == 4  # the next run completes the work


def test_a_write_held_by_another_program_too_long_is_a_store_error(tmp_path, monkeypatch):
    """A database browser with unsaved changes holds a write: past the busy timeout the
    step is a StoreError (which `run --every` tells and goes on from), not a traceback."""
    monkeypatch.setattr("newsvault.store.sqlite._BUSY_SECONDS", 1)
    store = open_store(tmp_path / "newsvault.db")
    store.sync_sources([SourceSettings("甲", "http://a.test/feed")], now_ms=1)
    other = sqlite3.connect(tmp_path / "newsvault.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreError, match="another program has held a write on it for 1 s"):
        save(store, "甲", [item(1)])
    other.execute("ROLLBACK")
    assert save(store, "甲", [item(1)]).new == 1
    other.close()
    store.close()


def test_every_database_has_an_identity_of_its_own_kept_across_opens(tmp_path):
    first = open_store(tmp_path / "a.db")
    identity = first.archive_id()
    assert len(identity) == 32 and int(identity, 16) >= 0
    first.close()
    assert open_store(tmp_path / "a.db").archive_id() == identity  # made once
    assert open_store(tmp_path / "b.db").archive_id() != identity  # a rebuilt one: another


def test_a_database_of_schema_7_is_given_an_identity_when_upgraded(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:7], start=1):
        db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
    db.close()
    store = open_store(path)
    assert len(store.archive_id()) == 32
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.parametrize("one, other", [
    ("https://x.test/新闻/1", "https://x.test/%E6%96%B0%E9%97%BB/1"),  # an RSSHub route's
    ("https://x.test/%e6%96%b0/2", "https://x.test/%E6%96%B0/2"),  # WordPress writes lower case
    ("https://x.test/~me/3", "https://x.test/%7Eme/3"),
    ("https://例子.test/4", "https://xn--fsqu00a.test/4"),
    ("https://x.test/s?q=新", "https://x.test/s?q=%E6%96%B0"),
])
def test_a_link_spelled_another_way_is_the_same_article(store, one, other):
    assert save(store, "甲", [item(1, url=one)]).new == 1
    counts = save(store, "乙", [item(2, url=other, guid="other")], at=2000)
    assert counts.new == 0 and store.totals()["articles"] == 1


def test_reserved_characters_and_their_escapes_stay_apart(store):
    save(store, "甲", [item(1, url="https://x.test/a%2Fb"), item(2, url="https://x.test/a/b")])
    assert store.totals()["articles"] == 2


def test_an_archive_of_schema_9_has_its_links_spelled_one_way_and_its_copies_found(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:9], start=1):
        db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
    db.execute("INSERT INTO sources (id, name, url, created_ms) VALUES (1, '甲', 'http://a.test/f', 0)")
    for article_id, url in ((1, "https://x.test/新闻"), (2, "https://x.test/%e6%96%b0%e9%97%bb"),
                            (3, "https://x.test/%E6%96%B0%E9%97%BB"), (4, "https://x.test/plain")):
        db.execute("INSERT INTO articles (id, source_id, guid, url, url_key, title, first_seen_ms,"
                   " updated_ms, content_html, content_hash, change_seq) VALUES"
                   " (?, 1, ?, ?, ?, 't', 0, 0, '', '', ?)", (article_id, f"g{article_id}",
                                                           url, url, article_id))
    db.commit()
    db.close()
    store = open_store(path)
    keys = dict(store._db.execute("SELECT id, url_key FROM articles"))
    spelled = "https://x.test/%E6%96%B0%E9%97%BB"
    # the first keeps the link; 3 already had its spelling: it keeps it, and 1 is the copy
    assert keys == {1: None, 2: None, 3: spelled, 4: "https://x.test/plain"}
    counts = save(store, "甲", [item(9, url="https://x.test/新闻", guid="new")], at=5000)
    assert counts.new == 0 and store.totals()["articles"] == 4  # no fifth copy
    store.close()


def test_an_edit_does_not_move_a_date_that_is_only_when_the_item_was_updated(store):
    first = 1_600_000_000_000
    save(store, "甲", [item(1, published_ms=first, published_raw="t1", date_is_update=True)])
    edited = item(1, content_html="<p>改过</p>", published_ms=first + 3_600_000,
                  published_raw="t2", date_is_update=True)
    assert save(store, "甲", [edited], at=2000).updated == 1
    [row] = list(store.export_rows())
    assert row.published_ms == first  # the post stays on its day


def test_an_edit_does_not_move_the_date_an_article_was_archived_with(store):
    """Many CMSs date an item by its last edit: the post's date: (and so its Jekyll URL)
    moved with each edit, while a change of the date alone was not taken."""
    first = 1_600_000_000_000
    save(store, "甲", [item(1, published_ms=first, published_raw="t1")])
    moved = item(1, content_html="<p>改过</p>", published_ms=first + 86_400_000,
                 published_raw="t2")
    assert save(store, "甲", [moved], at=2000).updated == 1
    [row] = list(store.export_rows())
    assert (row.published_ms, row.revisions) == (first, 2)


def test_an_article_without_a_date_takes_the_first_an_edit_brings(store):
    save(store, "甲", [item(1, published_ms=None)])
    dated = item(1, content_html="<p>改过</p>", published_ms=1_600_000_000_000,
                 published_raw="t1")
    save(store, "甲", [dated], at=2000)
    [row] = list(store.export_rows())
    assert row.published_ms == 1_600_000_000_000


# -- the files an item carries (attachments) ------------------------------------------------

EPISODE = "https://cdn.example.com/ep1.mp3"


def attachments_of(store, article_id=None):
    [article_id] = [article_id] if article_id else [row.id for row in store.export_rows()]
    [shown] = store.display_sources([article_id])
    return shown.attachments


def test_attachments_are_stored_with_a_new_article(store):
    files = [Attachment(EPISODE, "audio/mpeg", 123), Attachment("https://c.test/n.pdf", None, None)]
    save(store, "甲", [item(1, attachments=files), item(2)])
    first, second = sorted(row.id for row in store.export_rows())
    assert attachments_of(store, first) == files
    assert attachments_of(store, second) == []


def test_changed_attachments_are_kept_without_a_revision_and_none_keeps_them(store):
    save(store, "甲", [item(1, attachments=[Attachment(EPISODE, "audio/mpeg", 1)])])
    seq = store.current_seq()
    moved = [Attachment("https://cdn2.example.com/ep1.mp3", "audio/mpeg", 2)]
    counts = save(store, "甲", [item(1, attachments=moved)], at=2000)
    assert (counts.new, counts.updated) == (0, 0)
    assert store.current_seq() > seq  # exports and the site show them
    assert save(store, "甲", [item(1)], at=3000).updated == 0  # no longer listed: kept
    assert attachments_of(store) == moved
    [row] = list(store.export_rows())
    assert row.revisions == 1
    again = store.current_seq()
    save(store, "甲", [item(1, attachments=moved)], at=4000)
    assert store.current_seq() == again  # the same ones: nothing to write


PODCAST = """<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Pod</title><link>https://pod.example.com/</link>
<item><title>Episode 2</title><link>https://pod.example.com/</link>
  <guid isPermaLink="false">ep-2</guid><description>All about bees.</description>
  <enclosure url="https://cdn.example.com/ep2.mp3" length="2" type="audio/mpeg"/></item>
<item><title>Episode 1</title><link>https://pod.example.com/</link>
  <guid isPermaLink="false">ep-1</guid><itunes:summary>All about ants.</itunes:summary>
  <itunes:image href="https://pod.example.com/ep1.jpg"/>
  <enclosure url="https://cdn.example.com/ep1.mp3" length="1" type="audio/mpeg"/></item>
</channel></rss>""".encode()


def test_an_archive_of_schema_10_takes_its_podcasts_files_without_revisions_or_copies(tmp_path):
    """The episodes as an older newsvault archived them: a title and a link (its home
    page's), a description where there was one, no itunes:summary, no enclosure."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for number, step in enumerate(MIGRATIONS[:10], start=1):
        if callable(step):
            step(db)
            db.execute(f"PRAGMA user_version={number}")
            db.commit()
        else:
            db.executescript(f"BEGIN;\n{step}\nPRAGMA user_version={number};\nCOMMIT;")
    db.execute("INSERT INTO sources (id, name, url, created_ms) VALUES (1, '甲', 'http://a.test/feed', 0)")
    for article_id, guid, title, content in ((1, "ep-2", "Episode 2", "All about bees."),
                                             (2, "ep-1", "Episode 1", "")):
        db.execute("INSERT INTO articles (id, source_id, guid, url, url_key, title, first_seen_ms,"
                   " updated_ms, content_html, content_hash, change_seq) VALUES"
                   " (?, 1, ?, 'https://pod.example.com/', NULL, ?, 0, 0, ?, ?, ?)",
                   (article_id, guid, title, content, content_hash(title, content), article_id))
    db.execute("UPDATE counters SET value = 2")
    db.commit()
    db.close()
    store = open_store(path)
    store.sync_sources([SourceSettings("甲", "http://a.test/feed")], now_ms=1)
    entries = parse_feed(PODCAST, url="http://a.test/feed").entries
    counts = save(store, "甲", entries, at=5000)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 2)
    assert store.totals()["articles"] == 2 and store.totals()["versions"] == 2
    assert attachments_of(store, 1) == [Attachment("https://cdn.example.com/ep2.mp3", "audio/mpeg", 2)]
    assert attachments_of(store, 2) == [Attachment("https://cdn.example.com/ep1.mp3", "audio/mpeg", 1)]
    [shown] = store.display_sources([2])
    assert (shown.content_html, shown.image_url) == ("<p>All about ants.</p>",
                                                      "https://pod.example.com/ep1.jpg")
    assert save(store, "甲", entries, at=6000).unchanged == 2
    assert store.totals()["versions"] == 2
    store.close()
