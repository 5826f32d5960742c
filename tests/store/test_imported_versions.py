"""An imported post's content against a feed's: the same version when it says nothing new."""

import pytest

from newsvault.store.identity import reads_as_part_of

FEED = '<p>\n  第一段，<a href="/a">链接</a>。\n</p>\n<p>第二段 <img src="/x.png"> 完。</p>'


@pytest.mark.parametrize("imported", [
    FEED,
    "".join(line.strip() for line in FEED.splitlines()),  # the old system's joined lines
    '<p>第一段，<a href="https://example.org/a">链接</a>。</p><p>第二段 <img src="{{ site.baseurl'
    '}}/assets/media/ab/ab.png" loading="lazy" referrerpolicy="no-referrer"> 完。</p>',  # clean
    "<h1>标题</h1><p>第一段，链接。</p><p>第二段 完。</p><p>第三段，页面才有。</p>",  # full page
])
def test_the_feeds_text_within_the_posts_is_the_same_version(imported):
    assert reads_as_part_of(FEED, imported)


def test_what_a_sanitizer_drops_is_no_text():
    fetched = FEED + "<script>track('第二段')</script><style>p{color:red}</style>"
    assert reads_as_part_of(fetched, "<p>第一段，链接。</p><p>第二段 完。</p>")


@pytest.mark.parametrize("fetched", [
    FEED.replace("第二段", "第二段（更正）"),  # edited
    FEED + "<p>补充报道。</p>",  # grown
    "<p>另一篇的摘要。</p>",  # a teaser the post does not hold
])
def test_new_text_is_a_new_version(fetched):
    assert not reads_as_part_of(fetched, "<p>第一段，链接。</p><p>第二段 完。</p>")


def test_empty_content_says_nothing_new_and_unparsable_content_is_never_taken_as_the_same():
    assert reads_as_part_of("", "<p>正文</p>")
    assert reads_as_part_of("  \n", "<p>正文</p>")
    assert not reads_as_part_of("<p>正文</p>", "\x00")
