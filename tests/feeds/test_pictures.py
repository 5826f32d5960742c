"""The picture an item gives beside its content, in every format: an image's
media:content, then an image enclosure, then media:thumbnail; never a non-image or a
non-web URL."""

import json

import pytest

from newsvault.feeds import parse_feed

FEED_URL = "https://feed.example.com/news/rss.xml"
MEDIA_NS = 'xmlns:media="http://search.yahoo.com/mrss/"'


def rss_item(inner: str) -> bytes:
    return (f'<rss version="2.0" {MEDIA_NS}><channel><title>C</title><item><title>T</title>'
            f"<link>https://feed.example.com/a</link><description>text</description>{inner}"
            "</item></channel></rss>").encode()


def atom_entry(inner: str) -> bytes:
    return (f'<feed xmlns="http://www.w3.org/2005/Atom" {MEDIA_NS}><title>F</title><entry>'
            f'<id>1</id><title>T</title><link href="https://feed.example.com/a"/>{inner}'
            "</entry></feed>").encode()


def image_of(body: bytes) -> str | None:
    [entry] = parse_feed(body, url=FEED_URL).entries
    return entry.image


@pytest.mark.parametrize(("inner", "image"), [
    ('<enclosure url="https://img.example/a.jpg" length="1" type="image/jpeg"/>',
     "https://img.example/a.jpg"),
    ('<enclosure url="/pics/a.png" length="0"/>', "https://feed.example.com/pics/a.png"),
    ('<media:thumbnail url="https://img.example/t.jpg" width="240"/>', "https://img.example/t.jpg"),
    # media:content beats the thumbnail, a small copy of it, whatever the order
    ('<media:thumbnail url="https://img.example/small.jpg"/>'
     '<media:content url="https://img.example/big.jpg" medium="image"/>',
     "https://img.example/big.jpg"),
    ('<media:group><media:content url="https://img.example/g.jpg" type="image/jpeg"/>'
     "</media:group>", "https://img.example/g.jpg"),
    # not images: a podcast, a video, a page
    ('<enclosure url="https://cdn.example/ep1.mp3" length="9" type="audio/mpeg"/>', None),
    ('<media:content url="https://cdn.example/v.mp4" medium="video"/>', None),
    ('<enclosure url="https://cdn.example/page" length="0"/>', None),
    ('<enclosure url="javascript:alert(1)//a.jpg" type="image/jpeg"/>', None),
    ("", None),
])
def test_an_rss_items_picture(inner, image):
    assert image_of(rss_item(inner)) == image


def test_a_video_with_its_thumbnail_gives_the_thumbnail():
    inner = ('<media:content url="https://cdn.example/v.mp4" medium="video"/>'
             '<media:thumbnail url="https://img.example/poster.jpg"/>')
    assert image_of(rss_item(inner)) == "https://img.example/poster.jpg"


@pytest.mark.parametrize(("inner", "image"), [
    ('<link rel="enclosure" type="image/png" href="https://img.example/a.png"/>',
     "https://img.example/a.png"),
    ('<link rel="enclosure" type="audio/mpeg" href="https://cdn.example/a.mp3"/>', None),
    ('<media:thumbnail url="t.jpg"/>', "https://feed.example.com/news/t.jpg"),
    ('<link rel="alternate" href="https://img.example/a.png"/>', None),
])
def test_an_atom_entrys_picture(inner, image):
    assert image_of(atom_entry(inner)) == image


@pytest.mark.parametrize(("item", "image"), [
    ({"image": "https://img.example/a.jpg", "banner_image": "https://img.example/b.jpg"},
     "https://img.example/a.jpg"),
    ({"banner_image": "/b.jpg"}, "https://feed.example.com/b.jpg"),
    ({"attachments": [{"url": "https://cdn.example/a.mp3", "mime_type": "audio/mpeg"},
                      {"url": "https://img.example/c.webp", "mime_type": "image/webp"}]},
     "https://img.example/c.webp"),
    ({"image": 42}, None),
])
def test_a_json_feed_items_picture(item, image):
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J",
                       "items": [{"id": "1", "content_text": "x", **item}]}).encode()
    assert image_of(body) == image
