"""The sanitizer on its own: what it keeps, what it removes, what it repairs."""

import re
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsvault.content.sanitize import _joined, _origin, clean_html, image_urls
from support.xss import PAYLOADS

BASE = "https://news.example/world/2022/story.html"


def clean(html: str, base: str | None = BASE) -> str:
    return clean_html(html, base)


# -- what it keeps ------------------------------------------------------------------------

KEPT = [
    "<p>段落</p>", "<h1>一</h1>", "<h2>二</h2>", "<h3>三</h3>", "<h4>四</h4>", "<h5>五</h5>",
    "<h6>六</h6>", "<ul><li>a</li></ul>", "<ol><li>b</li></ol>", "<dl><dt>t</dt><dd>d</dd></dl>",
    "<blockquote>引文</blockquote>", "<pre><code>x = 1</code></pre>", "<em>e</em>",
    "<strong>s</strong>", "<b>b</b>", "<i>i</i>", "<u>u</u>", "<s>s</s>", "<del>d</del>",
    "<ins>i</ins>", "<sub>2</sub>", "<sup>2</sup>", "<small>s</small>", "<mark>m</mark>",
    "<p>a<br>b</p>", "<hr>", "<figure><figcaption>图说</figcaption></figure>",
    "<table><caption>c</caption><thead><tr><th>h</th></tr></thead>"
    "<tbody><tr><td>d</td></tr></tbody></table>",
    "<ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>", "<div><span>x</span></div>",
]


@pytest.mark.parametrize("html", KEPT)
def test_text_structure_survives_unchanged(html):
    assert clean(html) == html


def test_a_link_keeps_its_address_and_gets_a_safe_rel():
    assert clean('<a href="https://other.example/x?a=1&amp;b=2" title="t">l</a>') == (
        '<a href="https://other.example/x?a=1&amp;b=2" title="t"'
        ' rel="noopener noreferrer nofollow">l</a>')


@pytest.mark.parametrize("href", ["http://a.example/", "https://a.example/", "mailto:x@a.example"])
def test_links_may_be_http_https_or_mailto(href):
    assert f'href="{href}"' in clean(f'<a href="{href}">l</a>')


def test_an_image_keeps_src_alt_title_width_and_height():
    out = clean('<img src="https://img.example/a.jpg" alt="图" title="t" width="640"'
                ' height="480" class="wp-image" style="border:0" id="x">')
    assert out == ('<img src="https://img.example/a.jpg" alt="图" title="t" width="640"'
                   ' height="480" loading="lazy" referrerpolicy="no-referrer">')


@pytest.mark.parametrize("src", [
    "https://www.youtube.com/embed/abc123", "https://www.youtube-nocookie.com/embed/abc123",
    "//www.youtube.com/embed/abc123?start=5"])
def test_a_youtube_embed_is_kept_sandboxed(src):
    out = clean(f'<iframe src="{src}" width="560" height="315" allowfullscreen'
                ' onload="x()">fallback</iframe>')
    assert out.startswith('<iframe src="https://www') and "/embed/abc123" in out
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in out
    assert "onload" not in out and "fallback" not in out


@pytest.mark.parametrize("src", [
    "https://evil.example/embed/abc", "https://www.youtube.com/watch?v=abc",
    "https://youtube.com.evil.example/embed/x", "javascript:alert(1)",
    "https://player.vimeo.com/video/1", "data:text/html,<script>alert(1)</script>",
    # a browser reads these as evil.example's
    "https://evil.example\\@www.youtube.com/embed/x", "https:\\\\evil.example/embed/x",
    "https://evil.example\\www.youtube.com/embed/x",
    "https://x@www.youtube.com.evil.example/embed/x"])
def test_other_iframes_are_removed_with_their_content(src):
    assert clean(f'<p>a</p><iframe src="{src}">fallback</iframe><p>b</p>') == "<p>a</p><p>b</p>"


# -- what it removes ----------------------------------------------------------------------

@pytest.mark.parametrize("name, payload", PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_no_xss_payload_survives(name, payload):
    out = clean(payload)
    lowered = out.lower()
    for marker in ("<script", "<style", "<svg", "<math", "<object", "<embed", "<form", "<base",
                   "<meta", "<link", "<input", "<button", "style=", "javascript:", "vbscript:",
                   "data:", "srcdoc", "leak.invalid"):
        assert marker not in lowered, (name, out)
    assert not re.search(r"\son[a-z]+=", lowered), (name, out)
    assert clean(out) == out  # and cleaning it again changes nothing


def test_event_handlers_go_and_the_text_stays():
    assert clean('<p onclick="alert(1)" onmouseover="x">text</p>') == "<p>text</p>"


def test_forms_go_and_their_labels_stay_as_text():
    assert clean('<form action="/x"><label>名</label><input name="q"><select><option>o'
                 "</option></select><textarea>t</textarea><button>送</button></form>") == "名送"


def test_comments_and_unknown_elements_go():
    assert clean("<p>a<!-- secret -->b<blink>c</blink></p>") == "<p>abc</p>"


# -- what it repairs ----------------------------------------------------------------------

def test_relative_urls_are_resolved_against_the_article():
    out = clean('<a href="../2021/old.html">l</a><a href="/about">m</a><img src="pic.jpg">'
                '<a href="#note">n</a><a href="//cdn.example/x">o</a>')
    assert 'href="https://news.example/world/2021/old.html"' in out
    assert 'href="https://news.example/about"' in out
    assert 'src="https://news.example/world/2022/pic.jpg"' in out
    assert 'href="https://news.example/world/2022/story.html#note"' in out
    assert 'href="https://cdn.example/x"' in out


ROOT_PATHS = ["/about", "/a/b/", "/a//b", "/a/./b", "/a/../b", "/..", "/.", "/.well-known/x",
              "/a?", "/a#", "/a?#f", "/a?q#", "/a?q=1&r=/../x#f", "/a;p", "/a/..;p", "/a\\b",
              "/", "/?q", "/#f", "/%2e%2e/x", "/新闻/报道.html"]
BASES = [BASE, "HTTPS://News.Example:8443/a/b", "http://user:pw@news.example", "http://[::1]/x/",
         "https://news.example/a?q#f"]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("path", ROOT_PATHS)
def test_a_root_path_is_joined_as_urljoin_joins_it(base, path):
    # the sanitizer skips urljoin for most "/path" links: the result must be urljoin's
    assert _joined(path, base, _origin(base)) == urljoin(base, path)


@settings(max_examples=500)
@given(st.sampled_from(BASES), st.text(alphabet="/.?#;=&a%\\ 新", max_size=12))
def test_any_link_is_joined_as_urljoin_joins_it(base, value):
    assert _joined(value, base, _origin(base)) == urljoin(base, value)


def test_a_stored_image_link_from_a_jekyll_export_is_kept_for_the_site():
    stored = "{{ site.baseurl }}/assets/media/ab/" + "ab" * 32 + ".png"
    out = clean(f'<img src="{stored}"><img src="{{{{ site.baseurl }}}}/other/x.png">')
    assert f'<img src="{stored}"' in out
    assert 'src="https://news.example/world/2022/{{ site.baseurl }}/other/x.png"' in out


def test_without_an_article_address_relative_urls_are_dropped():
    assert clean('<a href="/about">m</a><img src="pic.jpg">', base=None) == (
        '<a rel="noopener noreferrer nofollow">m</a>')


@pytest.mark.parametrize("attribute", ["data-src", "data-original", "data-lazy-src"])
def test_a_lazy_image_gets_its_real_address(attribute):
    out = clean(f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" {attribute}="big.jpg"'
                ' alt="a" width="600">')
    assert out == ('<img src="https://news.example/world/2022/big.jpg" alt="a" width="600"'
                   ' loading="lazy" referrerpolicy="no-referrer">')


def test_a_lazy_image_prefers_data_src_over_a_placeholder_src():
    out = clean('<img src="https://news.example/grey.gif" data-src="https://img.example/r.jpg">')
    assert image_urls(out) == ["https://img.example/r.jpg"]


@pytest.mark.parametrize("attribute", ["srcset", "data-srcset"])
def test_an_image_with_only_a_srcset_gets_its_largest_candidate(attribute):
    out = clean(f'<img {attribute}="s.jpg 300w, https://img.example/l.jpg 1200w,'
                ' m.jpg 600w">')
    assert image_urls(out) == ["https://img.example/l.jpg"]
    assert "srcset" not in out


def test_a_srcset_with_densities_and_commas_in_urls():
    out = clean('<img srcset="https://i.example/a,w_100.jpg 1x, https://i.example/a,w_300.jpg 3x">')
    assert image_urls(out) == ["https://i.example/a,w_300.jpg"]


def test_noscript_copies_of_lazy_images_do_not_double_them():
    out = clean('<img data-lazy-src="real.jpg" src="data:image/gif;base64,R0l">'
                '<noscript><img src="real.jpg"></noscript>')
    assert image_urls(out) == ["https://news.example/world/2022/real.jpg"]
    assert out.count("<img") == 1


@pytest.mark.parametrize("img", [
    '<img src="https://stats.example/p.gif" width="1" height="1">',
    '<img src="https://stats.example/p.gif" width="0" height="0">',
    '<img src="https://stats.example/p.gif" width="1px" height="1px">',
    '<img src="https://stats.example/p.gif" height="0">',
    '<img src="http://feeds.feedburner.com/~r/Example/~4/AbCdEf" height="1" width="1">',
    '<img src="http://feeds.feedburner.com/~r/Example/~4/AbCdEf">',
    '<img src="https://pixel.wp.com/b.gif?v=1">',
    '<img src="https://www.google-analytics.com/collect?v=1&amp;tid=UA-1">',
    '<img alt="no source at all">',
])
def test_tracking_pixels_and_images_without_source_are_dropped(img):
    assert clean(f"<p>a{img}b</p>") == "<p>ab</p>"


def test_a_small_but_real_image_stays():
    assert image_urls(clean('<img src="https://img.example/icon.png" width="16" height="1">'))


def test_unbalanced_html_comes_out_balanced():
    out = clean("<p>a <b>bold <a href='/x'>link<table><tr><td>cell")
    assert out.count("<b>") == out.count("</b>") and out.count("<a ") == out.count("</a>")
    assert out.endswith("</td></tr></tbody></table>")
    assert clean("</div></p>text</span>") == "<p></p>text"


def test_entities_and_text_stay_escaped():
    out = clean("<p>1 &lt; 2 &amp;&amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert out == "<p>1 &lt; 2 &amp;&amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_empty_and_plain_text():
    assert clean("") == ""
    assert clean("只是文字") == "只是文字"


def test_image_urls_lists_each_image_once_unescaped():
    out = clean('<img src="a.jpg?x=1&amp;y=2"><img src="b.jpg"><img src="a.jpg?x=1&y=2">')
    assert image_urls(out) == ["https://news.example/world/2022/a.jpg?x=1&y=2",
                               "https://news.example/world/2022/b.jpg"]


# -- audio and video ------------------------------------------------------------------------

def test_audio_and_video_keep_their_address_and_play_only_when_asked():
    assert clean('<audio src="/ep1.mp3" autoplay loop preload="auto">播放</audio>') == (
        '<audio controls preload="none" src="https://news.example/ep1.mp3">播放</audio>')
    assert clean('<video muted autoplay poster="p.jpg" width="640">'
                 '<source src="v.webm" type="video/webm"><source src="v.mp4"></video>') == (
        '<video controls preload="none">'
        '<source src="https://news.example/world/2022/v.webm">'
        '<source src="https://news.example/world/2022/v.mp4"></video>')


@pytest.mark.parametrize("html", [
    '<audio src="javascript:alert(1)" onerror="alert(1)" autoplay></audio>',
    '<audio src=" java\tscript:alert(1)"></audio>',
    '<video src="vbscript:x" onplay="alert(1)" onloadeddata="alert(1)"></video>',
    '<video><source src="javascript:alert(1)" onerror="alert(1)"></video>',
    '<audio><source src="data:audio/mpeg;base64,AAAA"></audio>',
])
def test_a_player_keeps_no_script_no_handler_and_no_autoplay(html):
    out = clean(html)
    assert "javascript" not in out and "script:" not in out and "data:" not in out
    assert not re.search(r"\son[a-z]+=|autoplay", out), out
    assert "<source" not in out  # a source without an address goes
    assert 'controls preload="none"' in out
    assert clean(out) == out
