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
