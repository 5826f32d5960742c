"""``newsvault serve``: the built site and /api/search, over real HTTP on 127.0.0.1."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import quote

import pytest

from newsvault.site import build_archive_site
from newsvault.site.state import STATE_FILE
from site_support import WINTER_GAMES_TITLE


@contextmanager
def serving(archive_root, *extra):
    """``newsvault serve --port 0`` in a process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(archive_root), "serve", "--port",
         "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:  # after what --build prints
            if " at http://" in line:
                break
        assert " at http://127.0.0.1:" in line, f"serve said: {line!r}"
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def test_serve_shows_the_site_and_a_404_page(small_archive):
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        status, body, kind = get(url)
        assert status == 200 and kind == "text/html; charset=utf-8"
        assert "晨报的第120篇报道".encode() in body
        status, body, _ = get(url + "no/such/page/")
        assert status == 404 and "找不到这个页面".encode() in body


def test_serve_builds_first_when_told(small_archive):
    with serving(small_archive.archive.root, "--build") as url:
        assert get(url + "feed.xml")[0] == 200


def test_search_api_answers_with_hits_and_their_pages(small_archive):
    pytest.importorskip("newsvault.search")
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        status, body, kind = get(f"{url}api/search?q={quote('冬奥')}&limit=5")
        assert status == 200 and kind.startswith("application/json")
        hits = json.loads(body)
        assert hits[0]["title"] == WINTER_GAMES_TITLE
        assert set(hits[0]) >= {"title", "url", "source", "published", "snippet", "page"}
        assert get(url + quote(hits[0]["page"]))[0] == 200
        status, body, _ = get(f"{url}api/search?q=")
        assert status == 400 and "error" in json.loads(body)


def test_a_port_in_use_is_a_clear_error(small_archive):
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        port = url.rsplit(":", 1)[1].strip("/")
        taken = subprocess.run(
            [sys.executable, "-m", "newsvault", "--archive", str(small_archive.archive.root),
             "serve", "--port", port], capture_output=True, text=True, timeout=60)
    assert taken.returncode == 1
    assert taken.stderr.startswith(f"error: serve: cannot listen on 127.0.0.1:{port}: ")
    assert "--port" in taken.stderr and "Traceback" not in taken.stderr


def test_a_port_out_of_range_is_a_usage_error(small_archive):
    result = subprocess.run(
        [sys.executable, "-m", "newsvault", "--archive", str(small_archive.archive.root),
         "serve", "--port", "70000"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr


def test_search_api_titles_a_hit_without_a_title(small_archive):
    pytest.importorskip("newsvault.search")
    from newsvault.site.serve import SearchApi

    small_archive.add("周刊", " ", "<p>没有标题的测试稿件。</p>", 1_700_000_000_000)
    build_archive_site(small_archive.archive)
    api = SearchApi(small_archive.archive.store, small_archive.site, "(无标题)")
    status, [hit] = api.answer({"q": ["没有标题的测试"]})
    assert status == 200 and hit["title"] == "没有标题的测试稿件。" and hit["page"]


def head(url: str) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def test_serve_lists_no_folder_and_shows_no_dot_folder(small_archive):
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        for path in [".newsvault-build/", STATE_FILE, quote(STATE_FILE).replace(".", "%2e"),
                     "assets/", "search-index/", "source/", ".nojekyll",
                     "source/../.newsvault-build/"]:
            status, body, _ = get(url + path)
            assert status == 404, path
            assert b"Directory listing" not in body and "找不到这个页面".encode() in body
        assert get(url + "assets/site.css")[0] == 200
        assert get(url + quote("source/晨报/"))[0] == 200


def test_head_answers_as_get_without_a_body(small_archive):
    pytest.importorskip("newsvault.search")
    build_archive_site(small_archive.archive)
    with serving(small_archive.archive.root) as url:
        status, body, kind = head(f"{url}api/search?q=x")
        assert (status, body) == (200, b"") and kind.startswith("application/json")
        assert head(url)[:2] == (200, b"")
        assert head(url + ".newsvault-build/")[:2] == (404, b"")


def test_sigterm_stops_serve_as_ctrl_c_does(small_archive):
    build_archive_site(small_archive.archive)
    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(small_archive.archive.root),
         "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split(" at ", 1)[1].split()[0]
        assert get(url)[0] == 200
    finally:
        process.terminate()  # systemd's stop
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err  # stopping is how a server ends
    assert "Traceback" not in err and "terminated" not in err
