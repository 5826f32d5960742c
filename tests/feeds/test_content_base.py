"""An item's HTML follows the xml:base in effect: its relative links and images point where
the feed says, not where the article's address would put them; without a base, and for
everything that is not a URL attribute, the HTML stays byte for byte as given."""

import pytest

from newsvault.content.sanitize import clean_html
from newsvault.feeds import parse_feed
from newsvault.feeds.relative import resolve_relative

FEED_URL = "https://feeds.example.com/all.xml"
ARTICLE = "https://site.example.com/blog/2024/05/post.html"


def atom(entry_attributes: str = "", content: str = "", feed_attributes: str = "") -> bytes:
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"{feed_attributes}><title>F</title>'
            f'<entry{entry_attributes}><id>urn:1</id><title>T</title>'
            f'<link href="{ARTICLE}"/>{content}</entry></feed>').encode()


def rss(item_attributes: str = "", inner: str = "", channel_attributes: str = "") -> bytes:
    return (f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f'<channel{channel_attributes}><title>C</title><item{item_attributes}><title>T</title>'
            f"<link>{ARTICLE}</link>{inner}</item></channel></rss>").encode()


HTML = '<p><a href="../about/">about</a> <img src="img/a.png" srcset="img/a.png 1x, img/b.png 2x"></p>'
RESOLVED = ('<p><a href="https://site.example.com/about/">about</a> '
            '<img src="https://site.example.com/blog/img/a.png" '
            'srcset="https://site.example.com/blog/img/a.png 1x, '
            'https://site.example.com/blog/img/b.png 2x"></p>')


def escaped(html: str) -> str:
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("body", [
    atom(feed_attributes=' xml:base="https://site.example.com/blog/"',
         content=f'<content type="html">{escaped(HTML)}</content>'),
    atom(entry_attributes=' xml:base="https://site.example.com/blog/"',
         content=f'<content type="html">{escaped(HTML)}</content>'),
    atom(content=f'<content type="html" xml:base="https://site.example.com/blog/">'
                 f"{escaped(HTML)}</content>"),
    # a relative base is itself resolved against the feed's own address first
    atom(feed_attributes=' xml:base="https://site.example.com/"', entry_attributes=' xml:base="blog/"',
         content=f'<content type="html">{escaped(HTML)}</content>'),
    rss(channel_attributes=' xml:base="https://site.example.com/blog/"',
        inner=f"<content:encoded><![CDATA[{HTML}]]></content:encoded>"),
    rss(item_attributes=' xml:base="https://site.example.com/blog/"',
        inner=f"<description>{escaped(HTML)}</description>"),
], ids=["atom-feed", "atom-entry", "atom-content", "atom-nested", "rss-channel", "rss-item"])
def test_content_links_follow_the_base_in_effect(body):
    [entry] = parse_feed(body, url=FEED_URL).entries
    assert entry.content_html == RESOLVED
    # and the sanitizer keeps them: relative to the article they would point elsewhere
    cleaned = clean_html(entry.content_html, entry.url)
    assert 'href="https://site.example.com/about/"' in cleaned
    assert 'src="https://site.example.com/blog/img/a.png"' in cleaned


def test_atom_xhtml_content_follows_its_base():
    body = atom(content='<content type="xhtml" xml:base="https://site.example.com/blog/">'
                        '<div xmlns="http://www.w3.org/1999/xhtml"><a href="x.html">x</a></div>'
                        "</content>")
    [entry] = parse_feed(body, url=FEED_URL).entries
    assert entry.content_html == '<a href="https://site.example.com/blog/x.html">x</a>'


def test_an_atom_summary_follows_the_base_too():
    body = atom(entry_attributes=' xml:base="https://site.example.com/blog/"',
                content='<summary type="html">&lt;a href="s.html"&gt;s&lt;/a&gt; more</summary>'
                        '<content type="html">&lt;p&gt;Body &lt;a href="c.html"&gt;c&lt;/a&gt;&lt;/p&gt;'
                        "</content>")
    [entry] = parse_feed(body, url=FEED_URL).entries
    assert entry.summary == '<a href="https://site.example.com/blog/s.html">s</a> more'
    assert entry.content_html == '<p>Body <a href="https://site.example.com/blog/c.html">c</a></p>'


def test_without_a_base_the_html_is_kept_as_given():
    body = rss(inner=f"<content:encoded><![CDATA[{HTML}]]></content:encoded>")
    [entry] = parse_feed(body, url=FEED_URL).entries
    assert entry.content_html == HTML  # the sanitizer resolves against the article later


def test_a_base_that_is_no_web_address_resolves_nothing():
    body = rss(item_attributes=' xml:base="javascript:alert(1)//"',
               inner=f"<content:encoded><![CDATA[{HTML}]]></content:encoded>")
    [entry] = parse_feed(body, url=FEED_URL).entries
    assert entry.content_html == HTML


def test_only_relative_url_attributes_change():
    base = "https://b.example/dir/"
    html = ("<p title='a.png' class=x>src=\"text.png\" <a href='#top'>t</a> "
            "<a href=mailto:a@b.example>m</a> <a href=\"//cdn.example/x\">c</a> "
            "<a HREF=rel?a=1&amp;b=2>q</a> <img data-src=\"lazy.jpg\" alt=\"a &amp; b\"></p>")
    assert resolve_relative(html, base) == (
        "<p title='a.png' class=x>src=\"text.png\" <a href='#top'>t</a> "
        "<a href=mailto:a@b.example>m</a> <a href=\"https://cdn.example/x\">c</a> "
        "<a HREF=\"https://b.example/dir/rel?a=1&amp;b=2\">q</a> "
        "<img data-src=\"https://b.example/dir/lazy.jpg\" alt=\"a &amp; b\"></p>")


def test_a_resolved_url_is_escaped_for_its_attribute():
    html = '<a href="x">x</a>'
    assert resolve_relative(html, 'https://b.example/a"b&c/') == (
        '<a href="https://b.example/a&quot;b&amp;c/x">x</a>')
