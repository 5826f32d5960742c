"""The files an item carries beside its content (a podcast's audio, a video, a document):
each once, in the feed's order, http(s) only, resolved where xml:base says; images stay the
item's picture. A podcast's itunes:summary is its text and itunes:image its picture when
it has no other."""

import pytest

from newsvault.feeds import parse_feed
from newsvault.model import Attachment

from .helpers import parse_fixture


def by_title(feed):
    return {entry.title: entry for entry in feed.entries}


@pytest.fixture(scope="module")
def podcast():
    return by_title(parse_fixture("rss20-podcast.xml"))


def test_an_audio_enclosure_is_kept_once_resolved_against_the_items_base(podcast):
    episode = podcast["Episode 3: Beetles"]
    # the media:content that names the same file is no second attachment
    assert episode.attachments == [
        Attachment("https://cdn.example.com/episodes/ep3.mp3", "audio/mpeg", 24986239)]


def test_every_enclosure_but_the_picture_is_kept_in_feed_order(podcast):
    episode = podcast["Episode 2: Bees (video)"]
    assert episode.attachments == [
        Attachment("https://cdn.example.com/ep2.mp4", "video/mp4", None),  # length 0: unknown
        Attachment("https://cdn.example.com/ep2-notes.pdf", "application/pdf", 51200),
        Attachment("https://cdn.example.com/ep2.m4a", "audio/mp4", 300),  # an atom:link
    ]
    assert episode.image == "https://cdn.example.com/ep2-cover.png"  # as before


def test_a_media_groups_audio_is_kept_and_a_player_page_or_a_photo_is_not(podcast):
    episode = podcast["Episode 1: Ants"]
    assert episode.attachments == [Attachment("https://cdn.example.com/ep1.ogg", "audio/ogg", None)]
    assert episode.image == "https://cdn.example.com/ep1-photo.jpg"


def test_itunes_summary_is_the_text_of_an_episode_that_has_no_other(podcast):
    assert podcast["Episode 3: Beetles"].content_html == (
        "<p>All about beetles &amp; weevils.</p><p>Second paragraph.</p>")
    assert podcast["Episode 1: Ants"].content_html == "<p>All about <b>ants</b>.</p>"
    assert podcast["Episode 2: Bees (video)"].content_html == "<p>All about bees.</p>"


def test_itunes_image_is_the_picture_of_an_episode_that_names_no_other(podcast):
    assert podcast["Episode 3: Beetles"].image == "https://cdn.example.com/episodes/art/ep3.jpg"


def test_atom_enclosure_links_are_attachments_resolved_against_xml_base():
    entries = by_title(parse_fixture("atom-enclosures.xml"))
    talk = entries["A talk"]
    assert talk.attachments == [
        Attachment("https://atom.example.org/blog/media/talk1.webm", "video/webm", 7340032),
        Attachment("https://files.example.org/talk1.mp3", "audio/mpeg", None),
    ]
    assert talk.image == "https://atom.example.org/blog/media/talk1.jpg"
    assert entries["A post"].attachments == []


def test_json_feed_attachments_that_are_not_images():
    feed = parse_fixture("jsonfeed-attachments.json", url="https://json.example.net/feed.json")
    entries = by_title(feed)
    assert entries["Cast 1"].attachments == [
        Attachment("https://json.example.net/audio/cast1.m4a", "audio/x-m4a", 89970236),
        Attachment("https://json.example.net/cast1.txt", "text/plain", 12),
    ]
    assert entries["Cast 1"].image == "https://json.example.net/img/cast1.png"
    assert entries["Cast 2"].attachments == []  # an object where a list belongs: none


@pytest.mark.parametrize(("enclosure", "expected"), [
    ('<enclosure url="https://c.example/a.mp3"/>', [Attachment("https://c.example/a.mp3",
                                                               "audio/mpeg", None)]),
    ('<enclosure url="https://c.example/stream" type="audio/mpeg" length="12.5"/>',
     [Attachment("https://c.example/stream", "audio/mpeg", None)]),
    ('<enclosure url="ftp://c.example/a.mp3" type="audio/mpeg"/>', []),
    ('<enclosure url="" type="audio/mpeg"/>', []),
    ('<enclosure url="https://c.example/a.jpg"/>', []),  # the picture
])
def test_an_enclosures_type_length_and_address(enclosure, expected):
    body = ('<rss version="2.0"><channel><title>C</title><item><title>T</title>'
            f"<link>https://c.example/t</link>{enclosure}</item></channel></rss>").encode()
    [entry] = parse_feed(body, url="https://c.example/feed").entries
    assert entry.attachments == expected
