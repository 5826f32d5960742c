"""An imported post's content against a feed's: the version the post was made from, when
the feed says the same (or, being a summary, a part of it)."""

import pytest

from newsvault.store.identity import reads_as_imported

FEED = '<p>\n  第一段，<a href="/a">链接</a>。\n</p>\n<p>第二段 <img src="/x.png"> 完。</p>'
POST = "<p>第一段，链接。</p><p>第二段 完。</p>"


@pytest.mark.parametrize("imported", [
    FEED,
    "".join(line.strip() for line in FEED.splitlines()),  # the old system's joined lines
    '<p>第一段，<a href="https://example.org/a">链接</a>。</p><p>第二段 <img src="{{ site.baseurl'
    '}}/assets/media/ab/ab.png" loading="lazy" referrerpolicy="no-referrer"> 完。</p>',  # clean
])
def test_the_same_text_is_the_same_version(imported):
    assert reads_as_imported(FEED, imported)


def test_what_a_sanitizer_drops_is_no_text():
    fetched = FEED + "<script>track('第二段')</script><style>p{color:red}</style>"
    assert reads_as_imported(fetched, POST)


def test_a_summary_within_the_whole_page_a_post_holds_is_the_same_version():
    page = "<h1>标题</h1>" + POST + "<p>第三段，页面才有。</p>"
    assert reads_as_imported("<p>第一段，链接。</p>", page, summary=True)
    assert not reads_as_imported("<p>另一篇的摘要。</p>", page, summary=True)


@pytest.mark.parametrize("summary", [
    "<p>第一段，链接……</p>", "<p>第一段，链接...</p>", "第一段，链接 [&#8230;]",
    "<p>第一段，链接。</p><p><a href='/a'>阅读全文</a></p>", "<p>第一段，链接。Read more »</p>",
])
def test_a_summary_is_matched_without_the_ellipsis_or_read_more_that_ends_it(summary):
    """What made it a summary is the feed's own: the page never holds it."""
    page = "<h1>标题</h1>" + POST
    assert reads_as_imported(summary, page, summary=True)
    assert not reads_as_imported(summary.replace("第一段", "另一段"), page, summary=True)


@pytest.mark.parametrize("fetched", [
    FEED.replace("第二段", "第二段（更正）"),  # edited
    FEED + "<p>补充报道。</p>",  # grown
    "<p>第一段，链接。</p>",  # the last paragraph removed: an edit, unless a summary
])
def test_new_or_missing_text_is_a_new_version(fetched):
    assert not reads_as_imported(fetched, POST)


def test_unparsable_content_is_never_taken_as_the_same():
    assert not reads_as_imported("<p>正文</p>", "\x00")
    assert not reads_as_imported("\x00", "<p>正文</p>")
