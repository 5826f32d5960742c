"""``newsvault status`` after a mixed run: one source ok, one not modified, one failing."""

from datetime import datetime

import pytest
from support.cli import SEED_NOW

pytestmark = pytest.mark.timeout(90)

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
SECOND_RUN = "2022-01-27T10:36:52.404Z"  # an hour after the first
SOURCE_KEYS = {"name", "url", "configured", "last_fetch_ms", "last_status", "last_http_status",
               "last_error", "articles", "consecutive_failures", "dead", "retry_after_ms",
               "pages_failed", "pages_waiting", "last_page_error"}
NO_PAGE_PROBLEMS = {"pages_failed": 0, "pages_waiting": 0, "last_page_error": None}


def epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_status_json_after_a_mixed_run(archive, feed_server, fixture_bytes):
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    feed_server.conditional("/conditional-get.xml", fixture_bytes("conditional-get.xml"),
                            etag='"v1"', headers=RSS)
    # no article pages (their hosts are not on loopback): tests/e2e/test_e2e_fulltext.py
    # shows the pages in status
    archive.add_source("正常", feed_server.url("/good.xml"), tags=["新闻"], full_text="never")
    archive.add_source("不变", feed_server.url("/conditional-get.xml"), full_text="never")
    archive.add_source("故障", feed_server.url("/404"), full_text="never")
    archive.cli("fetch", now=SEED_NOW, check=0)
    archive.cli("fetch", now=SECOND_RUN, check=0)

    report = archive.status()
    assert set(report) == {"sources", "totals", "media"}
    assert report["media"] == {"ok": 0, "pending": 0, "failed": 0, "files": 0, "stored_bytes": 0,
                               "referenced_bytes": 0, "failures": []}  # no images in these feeds
    assert all(set(source) == SOURCE_KEYS for source in report["sources"])
    by_name = {source["name"]: source for source in report["sources"]}
    assert list(by_name) == ["正常", "不变", "故障"]  # in the order of newsvault.toml
    second_run_ms = epoch_ms(SECOND_RUN)
    assert by_name["正常"] == {
        "name": "正常", "url": feed_server.url("/good.xml"), "configured": True,
        "last_fetch_ms": second_run_ms, "last_status": "ok", "last_http_status": 200,
        "last_error": None, "articles": 2, "consecutive_failures": 0, "dead": False,
        "retry_after_ms": None, **NO_PAGE_PROBLEMS,
    }
    assert by_name["不变"] == {
        "name": "不变", "url": feed_server.url("/conditional-get.xml"), "configured": True,
        "last_fetch_ms": second_run_ms, "last_status": "not_modified", "last_http_status": 304,
        "last_error": None, "articles": 2, "consecutive_failures": 0, "dead": False,
        "retry_after_ms": None, **NO_PAGE_PROBLEMS,
    }
    failing = by_name["故障"]
    assert failing["last_error"].startswith("fetch: not found (404 status code)")
    assert "\n" not in failing["last_error"]
    assert {key: failing[key] for key in SOURCE_KEYS - {"last_error"}} == {
        "name": "故障", "url": feed_server.url("/404"), "configured": True,
        "last_fetch_ms": second_run_ms, "last_status": "error", "last_http_status": 404,
        "articles": 0, "consecutive_failures": 2, "dead": False, "retry_after_ms": None,
        **NO_PAGE_PROBLEMS,
    }
    assert report["totals"] == {"sources": 3, "articles": 4, "versions": 4, "fetch_runs": 6,
                                "sources_not_configured": 0}

    text = archive.cli("status", check=0).stdout  # the same, for people
    lines = {line.split()[0]: line for line in text.splitlines() if line.split()
             and line.split()[0] in by_name}
    assert set(lines) == {"正常", "不变", "故障"}
    assert "not_modified" in lines["不变"] or "not modified" in lines["不变"]
    assert "not found (404 status code)" in lines["故障"]
    when = datetime.fromisoformat(SECOND_RUN.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M:%S")
    assert all(when in line for line in lines.values())
    assert "4 articles (4 versions) from 3 sources; 6 fetches logged" in text


def test_status_marks_a_source_no_longer_in_newsvault_toml(archive, feed_server, fixture_bytes):
    feed_server.route("/good.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    feed_server.route("/other.xml", body=fixture_bytes("good-source.xml"), headers=RSS)
    archive.add_source("留下", feed_server.url("/good.xml"), full_text="never")
    with_one_source = archive.config.read_text(encoding="utf-8")
    archive.add_source("删掉", feed_server.url("/other.xml"), full_text="never")
    archive.cli("fetch", now=SEED_NOW, check=0)
    archive.config.write_text(with_one_source, encoding="utf-8")  # 删掉 taken out again

    text = archive.cli("status", check=0).stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.split()
            and line.split()[0] in ("留下", "删掉")}
    assert "not in newsvault.toml" not in rows["留下"]
    assert rows["删掉"].rstrip().endswith("not fetched: not in newsvault.toml")
    assert "from 2 sources (1 not in newsvault.toml, not fetched); 2 fetches logged" in text
    status = archive.status()
    assert [source["configured"] for source in status["sources"]] == [True, False]
    assert status["totals"]["sources_not_configured"] == 1  # a monitor need not count them
