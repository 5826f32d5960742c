"""``newsvault search`` as a user runs it, on an archive made by ``import jekyll``/``fetch``."""

import json
import os
import pty
import sqlite3
import subprocess
import sys
from datetime import datetime

import pytest

POSTS = [  # (file date, source, title, body): our own text
    ("2022-01-27", "早报", "王毅应约同布林肯通话", "<p>美国国务院发言人Ned Price说，双方谈到冬奥。</p>"),
    ("2022-02-04", "早报", "北京冬奥会开幕", "<p>冬奥会今天在北京开幕。</p><p>" + "开幕式。" * 80 + "</p>"),
    ("2021-06-01", "端传媒", "臺灣疫情升溫", "<p>臺灣本土病例增加，冬奧籌備不受影響。</p>"),
    ("2017-10-15", "Blog", "VPN 在哪些国家合法", "<p>A VPN hides traffic; 使用VPN的人越来越多。</p>"),
]


def newsvault(*args, cwd, check=None):
    result = subprocess.run([sys.executable, "-m", "newsvault", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result


def post_text(date: str, source: str, title: str, body: str, n: int) -> str:
    """A post in the old system's format; the comment holds the published time."""
    published_ms = int(datetime.fromisoformat(f"{date}T08:00:00+00:00").timestamp() * 1000)
    return (f'---\nlayout: post\ntitle: "{title}"\ndate: {date}T08:00:00.000Z\n'
            f"author: {source}\nfrom: https://example.org/{n}\ntags: [ {source} ]\n"
            f"categories: [ {source} ]\n---\n<!--{published_ms}-->\n"
            f"[{title}](https://example.org/{n})\n------\n\n<div>\n{body}\n</div>\n")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-cli")
    posts = root / "_posts"
    posts.mkdir()
    for n, (date, source, title, body) in enumerate(POSTS):
        (posts / f"{date}-post{n}.md").write_text(post_text(date, source, title, body, n),
                                                  encoding="utf-8")
    newsvault("init", "news", "--empty", cwd=root, check=0)
    imported = newsvault("import", "jekyll", str(posts), cwd=root / "news", check=0)
    assert "search: the index catches up" in imported.stdout
    return root / "news"


def search_json(archive, *args) -> list[dict]:
    return json.loads(newsvault("search", *args, "--json", cwd=archive, check=0).stdout)


def test_json_is_a_list_of_hits_best_first_with_their_fields(archive):
    hits = search_json(archive, "冬奥")
    assert [hit["title"] for hit in hits][:1] == ["北京冬奥会开幕"]  # title match first
    assert {hit["title"] for hit in hits} == {"北京冬奥会开幕", "王毅应约同布林肯通话", "臺灣疫情升溫"}
    for hit in hits:
        assert set(hit) == {"title", "url", "source", "published", "snippet"}
        assert hit["url"].startswith("https://example.org/")
        assert hit["published"].endswith("Z") and "T" in hit["published"]
    [opening] = [hit for hit in hits if hit["source"] == "早报" and "开幕" in hit["title"]]
    assert opening["published"] == "2022-02-04T08:00:00.000Z"
    assert "<mark>冬奥</mark>" in opening["snippet"]
    [taiwan] = [hit for hit in hits if hit["source"] == "端传媒"]
    assert "<mark>冬奧</mark>" in taiwan["snippet"]  # the original characters, marked


def test_traditional_query_finds_simplified_text_and_back(archive):
    assert {hit["title"] for hit in search_json(archive, "台湾")} == {"臺灣疫情升溫"}
    assert {hit["title"] for hit in search_json(archive, "國務院")} == {"王毅应约同布林肯通话"}


def test_phrase_and_english_words_ignore_case(archive):
    [hit] = search_json(archive, '"ned price"')
    assert hit["title"] == "王毅应约同布林肯通话"
    assert "<mark>Ned Price</mark>" in hit["snippet"]
    assert [hit["title"] for hit in search_json(archive, "vpn")] == ["VPN 在哪些国家合法"]


def test_source_and_limit(archive):
    assert {hit["source"] for hit in search_json(archive, "冬奥", "--source", "早报")} == {"早报"}
    assert len(search_json(archive, "冬奥", "--limit", "1")) == 1
    unknown = newsvault("search", "冬奥", "--source", "没有", cwd=archive, check=2)
    assert "no source named '没有'" in unknown.stderr
    newsvault("search", "冬奥", "--limit", "0", cwd=archive, check=2)


@pytest.mark.parametrize("query", ['"', "NEAR(", "title:冬奥"])  # more in test_search.py
def test_odd_queries_answer_or_say_why_never_a_traceback(archive, query):
    result = newsvault("search", query, cwd=archive)
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert "nothing to search for" in result.stderr


def test_terminal_output_lists_title_source_date_link_and_snippet(archive):
    result = newsvault("search", "布林肯", cwd=archive, check=0)
    assert "1. 王毅应约同布林肯通话" in result.stdout
    assert "早报 · 2022-01-27 · https://example.org/0" in result.stdout
    assert "Ned Price" in result.stdout
    assert "no article matches '不存在的词'" in newsvault("search", "不存在的词", cwd=archive,
                                                          check=0).stdout


def test_run_brings_the_index_up_to_date_and_a_search_after_fetch_catches_up(tmp_path,
                                                                             feed_server):
    feed = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>冬奥新闻</title><link>https://example.org/a</link>"
            "<description>&lt;p&gt;布林肯&lt;/p&gt;</description></item></channel></rss>")
    feed_server.route("/feed.xml", body=feed.encode(),
                      headers={"Content-Type": "application/rss+xml"})
    newsvault("init", "news", "--empty", cwd=tmp_path, check=0)
    news = tmp_path / "news"
    newsvault("add", feed_server.url("/feed.xml"), "--name", "源", "--no-check", cwd=news, check=0)
    newsvault("fetch", cwd=news, check=0)
    assert [hit["title"] for hit in search_json(news, "布林肯")] == ["冬奥新闻"]
    feed_server.route("/feed.xml", body=feed.replace("冬奥新闻", "冬奥快讯").encode(),
                      headers={"Content-Type": "application/rss+xml"})
    newsvault("run", cwd=news, check=0)
    db = sqlite3.connect(news / "newsvault.db")
    indexed, current = db.execute(
        "SELECT indexed_seq, (SELECT value FROM counters WHERE name = 'change_seq')"
        " FROM search_state").fetchone()
    db.close()
    assert indexed == current > 1


def test_on_a_terminal_the_matches_are_in_bold_colour(archive):
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "newsvault", "search", "Ned"],
                               cwd=archive, stdout=terminal, stderr=subprocess.PIPE, env=env)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    text = output.decode()
    assert "\x1b[1;33mNed\x1b[0m" in text  # bold yellow
    assert "王毅应约同布林肯通话" in text
