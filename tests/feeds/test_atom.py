import pytest

from newsvault.feeds import parse_feed
from newsvault.feeds.dates import parse_date

from .helpers import parse_fixture, titles


def test_atom10_basic_fields():
    feed = parse_fixture("atom10-basic.xml")
    assert (feed.format, feed.title, feed.site_url) == ("atom", "Atom 日报", "https://atom.example.com/")
    ship, updated_only = feed.entries
    assert ship.title == "港口迎来第一艘新船"
    assert ship.url == "https://atom.example.com/ship"  # the text/html alternate
    assert ship.guid == "tag:atom.example.com,2024:ship"
    assert ship.author == "陈记者"
    assert ship.published_raw == "2024-01-07T08:00:00+08:00"  # published before updated
    assert ship.published_ms == parse_date("2024-01-07T00:00:00Z")
    assert ship.tags == ["港口", "Economy"]  # a category's label before its term
    assert ship.content_html == "<p>新船在早上靠岸，<b>码头</b>很热闹。</p>"
    assert ship.summary == "<p>新船靠岸。</p>"
    assert updated_only.author == "编辑部"  # the feed's author
    assert updated_only.published_raw == "2024-01-06T23:59:59.250Z"
    assert updated_only.published_ms == 1704585599250
    assert updated_only.content_html == "<p>CDATA html</p>"


def test_atom_xml_base_resolution():
    feed = parse_fixture("atom-xml-base.xml")
    assert feed.site_url == "https://base.example.com/blog/"
    assert [entry.url for entry in feed.entries] == [
        "https://base.example.com/blog/posts/one",
        "https://base.example.com/blog/2024/two",
        "https://elsewhere.example.org/a/b/c",
    ]
    # the content's relative links follow the base too (not the article's address)
    assert feed.entries[0].content_html == (
        '<a href="https://base.example.com/blog/relative/img">resolved against the feed base</a>')


def test_atom_xhtml_content_and_html_titles():
    feed = parse_fixture("atom-xhtml-content.xml")
    assert feed.title == "Marked up & escaped"
    assert titles(feed) == ["春天 & 花", "An xhtml title"]
    assert feed.entries[0].content_html == "<p>花开了，<b>很美</b>。</p><br/>tail &amp; more"
    assert feed.entries[1].content_html == "<p>Only a summary.</p>"  # summary when no content
    assert feed.entries[1].summary is None


def test_atom_text_content_is_escaped_into_paragraphs():
    plain, untyped = parse_fixture("atom-text-content.xml").entries
    assert plain.title == "Title with <tags> kept as text"  # type text: not stripped
    assert plain.content_html == "<p>Plain text: 1 &lt; 2 &amp; 3 &gt; 2.</p><p>Second paragraph.</p>"
    assert untyped.content_html == "<p>Looks like HTML</p>"


def test_atom03():
    feed = parse_fixture("atom03.xml")
    assert (feed.format, feed.site_url) == ("atom", "http://old-atom.example.com/")
    entry = feed.entries[0]
    assert (entry.title, entry.url) == ("Old format entry", "http://old-atom.example.com/e1")
    assert entry.published_raw == "2004-01-01T10:00:00+01:00"  # issued
    assert entry.content_html == "<p>hi</p>"


def test_an_entry_dated_only_by_updated_says_so():
    from newsvault.feeds import parse_feed

    def entry(dates: str):
        body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><id>1</id>'
                f"<title>T</title>{dates}</entry></feed>").encode()
        [parsed] = parse_feed(body, url="https://f.example/").entries
        return parsed.published_raw, parsed.date_is_update

    assert entry("<updated>2024-01-02T00:00:00Z</updated>") == ("2024-01-02T00:00:00Z", True)
    assert entry("<updated>2024-01-02T00:00:00Z</updated><published>2024-01-01T00:00:00Z</published>"
                 ) == ("2024-01-01T00:00:00Z", False)
    assert entry("<published>soon</published><updated>2024-01-02T00:00:00Z</updated>"
                 ) == ("2024-01-02T00:00:00Z", True)  # an unreadable published hides nothing
    assert entry("<published>soon</published>") == ("soon", False)
    assert entry("") == (None, False)


YOUTUBE = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/"
      xmlns="http://www.w3.org/2005/Atom">
 <title>A channel</title>
 <entry>
  <id>yt:video:AAAAAAAAAAA</id>
  <yt:videoId>AAAAAAAAAAA</yt:videoId>
  <title>My video title</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=AAAAAAAAAAA"/>
  <published>2024-01-05T02:00:00+00:00</published>
  <media:group>
   <media:title>My video title</media:title>
   <media:content url="https://www.youtube.com/v/AAAAAAAAAAA?version=3" type="application/x-shockwave-flash"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/AAAAAAAAAAA/hqdefault.jpg" width="480" height="360"/>
   <media:description>In this video I explain things.</media:description>
   <media:community><media:statistics views="12"/></media:community>
  </media:group>
 </entry>
 <entry>
  <id>2</id><title>Summary first</title><summary>The entry's own words.</summary>
  <media:group><media:description>A video's.</media:description></media:group>
 </entry>
</feed>"""


def test_a_youtube_entry_s_content_is_its_video_s_description():
    video, summarised = parse_feed(YOUTUBE, url="https://www.youtube.com/feeds/videos.xml").entries
    assert video.content_html == "<p>In this video I explain things.</p>"  # as an RSS item's
    assert video.image == "https://i1.ytimg.com/vi/AAAAAAAAAAA/hqdefault.jpg"
    assert summarised.content_html == "<p>The entry's own words.</p>"


def test_a_video_s_description_is_plain_text_its_lines_kept():
    """Media RSS's description is plain text: a YouTube description's lines were one."""
    body = ("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:media='http://search.yahoo.com/mrss/'>"
            "<title>t</title><entry><id>1</id><title>v</title><media:group><media:description>"
            "Chapters:\n0:00 Intro\n1:30 Q&amp;A &lt;live&gt;\n\nhttps://x.example/?a=1&amp;b=2"
            "</media:description></media:group></entry></feed>").encode()
    [entry] = parse_feed(body, url="https://v.example/feed").entries
    assert entry.content_html == ("<p>Chapters:<br>0:00 Intro<br>1:30 Q&amp;A &lt;live&gt;</p>"
                                  "<p>https://x.example/?a=1&amp;b=2</p>")


def test_an_rss_item_and_an_atom_entry_read_a_video_s_description_alike():
    group = ("<media:group xmlns:media='http://search.yahoo.com/mrss/'>"
             "<media:description><![CDATA[<p>Watch <a href='/more'>this</a></p>]]>"
             "</media:description></media:group>")
    rss = (f"<rss version='2.0'><channel><title>t</title><item xml:base='https://v.example/a/'>"
           f"<title>v</title>{group}</item></channel></rss>").encode()
    atom = (f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
            f"<entry xml:base='https://v.example/a/'><id>1</id><title>v</title>{group}</entry>"
            f"</feed>").encode()
    [item] = parse_feed(rss, url="https://v.example/feed").entries
    [entry] = parse_feed(atom, url="https://v.example/feed").entries
    assert item.content_html == entry.content_html == \
        '<p>Watch <a href="https://v.example/more">this</a></p>'


def test_xhtml_content_under_a_prefix_is_html_without_it():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><id>1</id><title>Prefixed</title><content type="xhtml"><x:div
 xmlns:x="http://www.w3.org/1999/xhtml"><x:p class="lead">Prefixed <x:b>bold</x:b> &amp;
 <x:a href="/more">more</x:a></x:p><x:br/>tail</x:div></content></entry>
<entry><id>2</id><title>Inner prefix</title><summary type="xhtml"><div
 xmlns="http://www.w3.org/1999/xhtml" xmlns:h="http://www.w3.org/1999/xhtml"><h:p>Mixed
 <i>in</i></h:p></div></summary></entry></feed>"""
    prefixed, inner = parse_feed(body, url="https://x.example/feed").entries
    assert prefixed.content_html == ('<p class="lead">Prefixed <b>bold</b> &amp;\n'
                                     ' <a href="/more">more</a></p><br/>tail')
    assert inner.content_html == "<p>Mixed\n <i>in</i></p>"


def _untyped(content: str) -> str:
    body = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
            f"<title>e</title><content>{content}</content></entry></feed>").encode()
    return parse_feed(body, url="https://x.example/feed").entries[0].content_html


@pytest.mark.parametrize(("content", "html"), [
    ("How to use the &lt;p&gt; element", "<p>How to use the &lt;p&gt; element</p>"),
    ("The &lt;video&gt; tag, List&lt;String&gt;, a &lt;b and c",
     "<p>The &lt;video&gt; tag, List&lt;String&gt;, a &lt;b and c</p>"),
    ("&lt;T&gt; in Java generics", "<p>&lt;T&gt; in Java generics</p>"),
])
def test_untyped_atom_text_that_names_a_tag_is_text(content, html):
    assert _untyped(content) == html


@pytest.mark.parametrize(("content", "html"), [  # sloppy generators' HTML, read as ever
    ("&lt;p&gt;Looks like HTML&lt;/p&gt;", "<p>Looks like HTML</p>"),
    ("<![CDATA[ <div class=x>In CDATA</div>]]>", " <div class=x>In CDATA</div>"),
    ("&lt;img src='a.jpg'&gt; Caption", "<img src='a.jpg'> Caption"),
    ("See &lt;a href='/x'&gt;this&lt;/a&gt;.", "See <a href='/x'>this</a>."),
    ("Text with &lt;b&gt;bold&lt;/b&gt;", "Text with <b>bold</b>"),
    ("Line one&lt;br /&gt;\nLine two", "Line one<br />\nLine two"),
    ("Intro&lt;img src=x.jpg&gt;", "Intro<img src=x.jpg>"),
])
def test_untyped_atom_html_of_sloppy_generators_stays_html(content, html):
    assert _untyped(content) == html


def test_an_atom_category_is_named_by_its_label():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>
<title>e</title><category term="https://atom.example.com/tags/go" label="Go"/>
<category term="https://atom.example.com/tags/golang" label=" Go "/><category term="rust"/>
<category term="web" label="  "/><category label="Label only"/><category term=" "/></entry></feed>"""
    [entry] = parse_feed(body, url="https://atom.example.com/feed").entries
    assert entry.tags == ["Go", "rust", "web", "Label only"]
