"""Titles as plain text: RSS and JSON Feed titles are read as the HTML they usually are;
RSS 1.0 and Atom text titles are text already and are not decoded a second time."""

import json

import pytest

from newsvault.feeds import parse_feed


def rss_title(title: str) -> str:
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<item><title>{title}</title></item></channel></rss>").encode()
    feed = parse_feed(body, url="https://t.example/feed")
    assert feed.title == feed.entries[0].title
    return feed.entries[0].title


@pytest.mark.parametrize(("title", "expected"), [
    ("Tom &amp;amp; Jerry&amp;#8217;s", "Tom & Jerry\u2019s"),
    ("<![CDATA[Trump&#39;s]]>", "Trump's"),
    ("<![CDATA[<b>宣布</b>消息]]>", "宣布消息"),
    ("&lt;span class=&quot;x&quot;&gt;A&lt;/span&gt;&lt;br/&gt;B", "A B"),
    # a line break or a block ends a word: the words are not glued together
    ("<![CDATA[第一行<br>第二行]]>", "第一行 第二行"),
    ("<![CDATA[<p>One</p><P>Two</P><div>three</div>]]>", "One Two three"),
    ("<![CDATA[in<b>line</b> <i>tags</i>]]>", "inline tags"),
    ("<![CDATA[a < b]]>", "a < b"),
    ("<![CDATA[List<String> & Map<K, V>]]>", "List<String> & Map<K, V>"),
    ("AT&amp;T", "AT&T"),
    ("&amp;copy 2024, &amp;bogus; &amp;#x;", "&copy 2024, &bogus; &#x;"),
    ("a&amp;nbsp;b&amp;#x20AC;", "a\u00a0b\u20ac"),
    ("\n\t  Line one\n\n  two\t three  ", "Line one two three"),
    ("<![CDATA[a<!-- note -->b]]>", "ab"),
])
def test_rss_titles_are_read_as_html(title, expected):
    assert rss_title(title) == expected


def test_rdf_titles_are_text_and_not_decoded_twice():
    body = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://r.example/">'
            "<title>R&amp;amp;D\n weekly</title></channel>"
            '<item rdf:about="https://r.example/1"><title>&lt;b&gt; is bold &amp;amp;\n\t more</title>'
            "</item></rdf:RDF>").encode()
    feed = parse_feed(body, url="https://r.example/feed")
    assert feed.title == "R&amp;D weekly"
    assert feed.entries[0].title == "<b> is bold &amp; more"


def test_atom_titles_by_type():
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            '<entry><id>1</id><title type="text">Tom &amp;amp; Jerry &lt;3\n  again</title></entry>'
            '<entry><id>2</id><title>AT&amp;T</title></entry>'
            '<entry><id>3</id><title type="html">&lt;b&gt;Tom&lt;/b&gt; &amp;amp;\n Jerry&amp;#8217;s</title></entry>'
            '</feed>').encode()
    titles = [entry.title for entry in parse_feed(body, url="https://a.example/").entries]
    assert titles == ["Tom &amp; Jerry <3 again", "AT&T", "Tom & Jerry\u2019s"]


def test_json_feed_titles_are_read_as_html():
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Kottke&#8217;s\nfeed",
            "items": [{"id": "1", "title": "Jerry&#8217;s <em>new</em> show"},
                      {"id": "2", "title": "AT&T: a < b"},
                      {"id": "3", "title": "\tTabs\tand\nlines "}]}
    parsed = parse_feed(json.dumps(feed).encode(), url="https://j.example/feed.json")
    assert parsed.title == "Kottke\u2019s feed"
    assert [entry.title for entry in parsed.entries] == [
        "Jerry\u2019s new show", "AT&T: a < b", "Tabs and lines",
    ]


# Windows CMSs write the Windows-1252 byte of ’ as a reference: &#146;. XML reads it as the
# C1 control U+0092, HTML (and newsvault) as ’.
C1_TITLE, C1_TEXT = "It&#146;s a &#147;test&#148; &#x96; really", "Don&#146;t panic &#151; &#129;"
READ_TITLE, READ_TEXT = "It\u2019s a \u201ctest\u201d \u2013 really", "Don\u2019t panic \u2014 \x81"


@pytest.mark.parametrize("bare_ampersand", ["", " &"])  # the strict parse, and the recovery
def test_references_to_c1_controls_are_read_as_html_reads_them_in_rss(bare_ampersand):
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Blog&#146;s</title>'
            f"<item><title>{C1_TITLE}{bare_ampersand}</title><author>Jos&#233; O&#146;Neil</author>"
            f"<description>{C1_TEXT}</description>"
            f"<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<![CDATA[<p>{'x' * 200}</p>]]>{C1_TEXT}</content:encoded>"
            "</item></channel></rss>").encode()
    feed = parse_feed(body, url="https://t.example/feed")
    [entry] = feed.entries
    assert feed.recovered == bool(bare_ampersand)
    assert feed.title == "Blog\u2019s"
    assert entry.title == READ_TITLE + bare_ampersand
    assert entry.author == "Jos\u00e9 O\u2019Neil"
    assert entry.summary == READ_TEXT
    assert entry.content_html == f"<p>{'x' * 200}</p>{READ_TEXT}"  # beside a lifted CDATA


def test_references_to_c1_controls_are_read_as_html_reads_them_in_atom():
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            f"<entry><id>1</id><title>{C1_TITLE}</title><author><name>O&#146;Neil</name></author>"
            f'<summary>{C1_TEXT}</summary><content type="html">&lt;b&gt;{C1_TEXT}&lt;/b&gt;</content>'
            "</entry></feed>").encode()
    [entry] = parse_feed(body, url="https://a.example/").entries
    assert (entry.title, entry.author) == (READ_TITLE, "O\u2019Neil")
    assert (entry.summary, entry.content_html) == (f"<p>{READ_TEXT}</p>", f"<b>{READ_TEXT}</b>")


def test_a_reference_in_cdata_is_the_html_s_to_read():
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>'
            "<title><![CDATA[It&#146;s]]></title><description><![CDATA[Don&#146;t]]></description>"
            "</item></channel></rss>").encode()
    [entry] = parse_feed(body, url="https://t.example/feed").entries
    assert (entry.title, entry.content_html) == ("It\u2019s", "Don&#146;t")
