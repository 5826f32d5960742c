"""content/media.py: the image URLs of article HTML, and the HTML with them rewritten."""

from newsvault.content.imagetype import image_extension
from newsvault.content.media import image_urls, rewrite_images, srcset_candidates

BASE = "https://news.example/2024/story.html"


def test_finds_src_lazy_attributes_and_the_largest_srcset_candidate():
    html = ('<p>x</p><img src="/a.png" alt="a > b"><IMG data-src=\'b.jpg\'>'
            '<picture><source srcset="c-1x.webp 1x, https://cdn.example/c,2x.webp 2x">'
            '<img src="https://cdn.example/d.gif?x=1&amp;y=2#frag"></picture>'
            '<img src="data:image/gif;base64,R0lGOD"><img src="/a.png">'
            '<img srcset="e-300.jpg 300w, e-1200.jpg 1200w, e-600.jpg 600w" src="e-300.jpg">')
    assert image_urls(html, BASE) == [
        "https://news.example/a.png", "https://news.example/2024/b.jpg",
        "https://cdn.example/c,2x.webp", "https://cdn.example/d.gif?x=1&y=2",
        "https://news.example/2024/e-1200.jpg", "https://news.example/2024/e-300.jpg",
    ]


def test_a_lazy_images_placeholder_src_is_not_an_image_to_download():
    html = ('<img src="/img/placeholder.gif" data-src="/img/real.jpg">'
            '<img class="lazy" SRC="/img/blank.png" data-lazy-srcset="f-1.jpg 1x, f-2.jpg 2x">'
            '<img src="/img/plain.jpg">')
    assert image_urls(html, BASE) == [
        "https://news.example/img/real.jpg", "https://news.example/2024/f-2.jpg",
        "https://news.example/img/plain.jpg"]


def test_tracking_pixels_and_other_schemes_are_left_out():
    html = ('<img src="https://t.example/p.gif" width="1" height="1">'
            '<img src="javascript:alert(1)"><img src="ftp://x.example/a.png">'
            '<img src="https://t.example/real.gif" width="1" height="300">')
    assert image_urls(html, BASE) == ["https://t.example/real.gif"]


def test_rewrite_changes_only_the_mapped_values():
    html = ('<div class="x">text <img alt=\'q\' src="/a.png" title="t"> and '
            '<img src=https://cdn.example/b.jpg> and <img src="https://cdn.example/keep.jpg">'
            '<a href="/a.png">link</a></div>')
    local = {"https://news.example/a.png": "../../assets/media/aa/aa.png",
             "https://cdn.example/b.jpg": "../../assets/media/bb/bb.jpg"}
    assert rewrite_images(html, BASE, local) == (
        '<div class="x">text <img alt=\'q\' src="../../assets/media/aa/aa.png" title="t"> and '
        '<img src=../../assets/media/bb/bb.jpg> and <img src="https://cdn.example/keep.jpg">'
        '<a href="/a.png">link</a></div>')


def test_rewrite_keeps_the_local_srcset_candidates_only():
    html = '<img srcset="small.jpg 1x, big.jpg 2x" src="small.jpg">'
    local = {"https://news.example/2024/small.jpg": "m/s.jpg"}
    assert rewrite_images(html, BASE, local) == '<img srcset="m/s.jpg 1x" src="m/s.jpg">'
    assert rewrite_images(html, BASE, {}) is html


def test_srcset_candidates_follow_the_standard_split():
    assert srcset_candidates("a.jpg, b.jpg 2x,c.jpg 300w") == [
        ("a.jpg", ""), ("b.jpg", "2x"), ("c.jpg", "300w")]


def test_image_types_are_sniffed_and_html_is_refused():
    assert image_extension(b"\x89PNG\r\n\x1a\n....", "text/html") == "png"
    assert image_extension(b"\xff\xd8\xff\xe0..", None) == "jpg"
    assert image_extension(b"GIF89a..", "image/gif") == "gif"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ", None) == "webp"
    assert image_extension(b"<!doctype html><p>404</p>", "text/html") is None
    assert image_extension(b"<html>not found</html>", "image/png") is None
    assert image_extension(b"<svg onload=alert(1)>", "image/svg+xml") is None


def test_links_a_jekyll_export_wrote_are_not_images_to_download():
    html = '<img src="{{ site.baseurl }}/assets/media/ab/' + "ab" * 32 + '.png">'
    assert image_urls(html, BASE) == []


def test_an_audio_or_video_source_is_not_an_image_and_is_never_relinked():
    html = ('<video src="/v.mp4" poster="/p.jpg"><source src="/v.webm"></video>'
            '<audio><source src="https://cdn.example/ep.mp3"></audio>'
            '<picture><source srcset="/c.webp 1x"><img src="/c.jpg"></picture>')
    assert image_urls(html, BASE) == ["https://news.example/c.webp", "https://news.example/c.jpg"]
    local = {"https://cdn.example/ep.mp3": "/local/ep.mp3", "https://news.example/c.webp": "/l.webp"}
    assert rewrite_images(html, BASE, local) == html.replace("/c.webp 1x", "/l.webp 1x")
