import time

import psutil
import pytest

from newsvault.feeds import parse_feed

from .helpers import fixture_bytes, parse_fixture


def test_billion_laughs_is_never_expanded():
    process = psutil.Process()
    memory_before = process.memory_info().rss
    started = time.perf_counter()
    feed = parse_fixture("billion-laughs.xml")
    assert time.perf_counter() - started < 2.0
    assert process.memory_info().rss - memory_before < 50_000_000
    entry = feed.entries[0]
    assert entry.url == "https://laughs.example.com/1"
    assert "lollol" not in entry.title and "lollol" not in entry.content_html
    assert len(entry.title) < 50 and len(entry.content_html) < 50


@pytest.mark.timeout(10)
def test_billion_laughs_repeated_stays_bounded():
    body = fixture_bytes("billion-laughs.xml")
    for _ in range(200):
        parse_feed(body, url="https://x.example/")


def test_external_entities_are_never_read():
    feed = parse_fixture("external-entity.xml")
    entry = feed.entries[0]
    passwd = open("/etc/passwd", encoding="utf-8", errors="replace").read()
    first_line = passwd.splitlines()[0]
    for text in (entry.title, entry.content_html, feed.title or ""):
        assert first_line not in text and "root:" not in text
    assert entry.title == "Secret:"
    assert entry.url == "https://xxe.example.com/1"


def test_external_dtd_is_never_loaded(tmp_path):
    # A DTD that would break the parse if it were read, and define an entity if it were used.
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "DTD WAS READ"> this is not a DTD <<<')
    body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">\n'
            '<rss><channel><item><title>T &leak;</title></item></channel></rss>').encode()
    feed = parse_feed(body, url="https://x.example/")
    assert feed.recovered is False
    assert feed.entries[0].title == "T"
    assert "DTD WAS READ" not in repr(feed)


def test_external_dtd_fixture_parses_strictly():
    feed = parse_fixture("external-dtd.xml")
    assert feed.recovered is False
    assert [entry.title for entry in feed.entries] == ["The DTD is never read"]
