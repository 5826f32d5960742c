"""``newsvault serve``: the built site and /api/search, over real HTTP on 127.0.0.1."""

import http.client
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

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


CLIP = bytes(range(256)) * 40  # 10,240 bytes, each position telling where it is


def fetched(url: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    """One request as a browser's media element makes it: (status, headers, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path, headers={name.replace("_", "-"): value
                                                        for name, value in headers.items()})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def site_with_a_clip(small_archive):
    """The built site with an archived enclosure: a video in assets/media/."""
    build_archive_site(small_archive.archive)
    clip = small_archive.site / "assets" / "media" / "clip.mp4"
    clip.parent.mkdir(parents=True, exist_ok=True)
    clip.write_bytes(CLIP)
    return small_archive.archive.root


def test_serve_answers_each_form_of_byte_range(site_with_a_clip):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        status, headers, body = fetched(clip)
        assert (status, body) == (200, CLIP) and headers["Accept-Ranges"] == "bytes"
        for asked, first, last in [("bytes=100-199", 100, 199), ("bytes=10000-", 10000, 10239),
                                   ("bytes=-40", 10200, 10239), ("bytes=0-99999", 0, 10239),
                                   ("bytes=-99999", 0, 10239), ("bytes=10239-10239", 10239, 10239)]:
            status, headers, body = fetched(clip, Range=asked)
            assert status == 206, asked
            assert headers["Content-Range"] == f"bytes {first}-{last}/{len(CLIP)}", asked
            assert body == CLIP[first:last + 1], asked
            assert headers["Content-Length"] == str(last - first + 1)
            assert headers["Content-Type"] == "video/mp4" and headers["Accept-Ranges"] == "bytes"
        page = fetched(url)[2]
        status, headers, body = fetched(url, Range="bytes=0-9")  # a page, by its folder's URL
        assert (status, body) == (206, page[:10])
        assert headers["Content-Range"] == f"bytes 0-9/{len(page)}"


def test_several_ranges_or_a_malformed_one_get_the_whole_file(site_with_a_clip):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        for asked in ["bytes=0-9,20-29", "bytes=9-0", "bytes=-", "items=0-9", "bytes=x-9"]:
            status, headers, body = fetched(clip, Range=asked)
            assert (status, body) == (200, CLIP), asked
            assert "Content-Range" not in headers


def test_a_range_past_the_end_is_416_with_the_size(site_with_a_clip):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        for asked in ["bytes=10240-", "bytes=20000-20100", "bytes=-0"]:
            status, headers, body = fetched(clip, Range=asked)
            assert (status, body) == (416, b""), asked
            assert headers["Content-Range"] == f"bytes */{len(CLIP)}"
        status, headers, _ = fetched(url + "no/such.mp4", Range="bytes=0-9")
        assert status == 404 and "Content-Range" not in headers


def test_head_with_a_range_answers_as_a_get_without_one(site_with_a_clip):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        status, headers, body = fetched(clip, "HEAD", Range="bytes=0-9")  # ranges are GET's
        assert (status, body) == (200, b"") and "Content-Range" not in headers
        assert headers["Content-Length"] == str(len(CLIP))
        assert headers["Accept-Ranges"] == "bytes"
        assert headers["ETag"] == fetched(clip)[1]["ETag"]


def test_if_range_gives_the_range_only_of_the_same_file(site_with_a_clip, small_archive):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        _, headers, _ = fetched(clip)
        etag, last_modified = headers["ETag"], headers["Last-Modified"]
        status, _, body = fetched(clip, Range="bytes=0-9", If_Range=etag)
        assert (status, body) == (206, CLIP[:10])
        changed = CLIP[::-1]  # a resumed download of a file rewritten meanwhile
        path = small_archive.site / "assets" / "media" / "clip.mp4"
        path.write_bytes(changed)
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
        status, headers, body = fetched(clip, Range="bytes=0-9", If_Range=etag)
        assert (status, body) == (200, changed) and headers["ETag"] != etag
        # a date is no strong validator (two writes in one second): the whole file
        status, _, body = fetched(clip, Range="bytes=0-9", If_Range=last_modified)
        assert (status, body) == (200, changed)


def test_a_cached_file_is_not_sent_again(site_with_a_clip):
    with serving(site_with_a_clip) as url:
        clip = url + "assets/media/clip.mp4"
        _, headers, _ = fetched(clip)
        status, again, body = fetched(clip, If_None_Match=headers["ETag"], Range="bytes=0-9")
        assert (status, body) == (304, b"") and again["ETag"] == headers["ETag"]
        assert fetched(clip, If_None_Match='"other"')[0] == 200
        status, _, body = fetched(clip, If_Modified_Since=headers["Last-Modified"])
        assert (status, body) == (304, b"")
