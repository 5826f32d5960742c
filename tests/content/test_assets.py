"""content/assets.py: files named by SHA-256, written atomically, published by link or copy."""

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

from newsvault.content.assets import publish_asset, relink_jekyll_images, store_asset

BODY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def test_the_same_bytes_from_many_threads_make_one_file(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store_asset(tmp_path, BODY, "png"), range(32)))
    sha = hashlib.sha256(BODY).hexdigest()
    assert {result[:2] for result in results} == {(sha, f"assets/media/{sha[:2]}/{sha}.png")}
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert [path.name for path in files] == [f"{sha}.png"]  # no temporary file left over
    assert files[0].read_bytes() == BODY


def test_publish_links_into_the_site_once_and_skips_a_lost_file(tmp_path):
    archive, site = tmp_path / "archive", tmp_path / "site"
    _, relative, _ = store_asset(archive, BODY, "png")
    assert publish_asset(archive, site, relative) is True
    assert (site / relative).read_bytes() == BODY
    assert os.stat(site / relative).st_ino == os.stat(archive / relative).st_ino  # a hard link
    assert publish_asset(archive, site, relative) is False
    assert publish_asset(archive, site, "assets/media/00/" + "0" * 64 + ".png") is False
    assert publish_asset(archive, archive, relative) is False  # the archive is the site


def test_links_a_jekyll_export_wrote_become_relative_to_the_page():
    path = "assets/media/ab/" + "ab" * 32 + ".jpg"
    html = f'<p>x</p><img src="{{{{ site.baseurl }}}}/{path}" alt="{{{{ not a link }}}}">'
    assert relink_jekyll_images(html, "../../") == (
        f'<p>x</p><img src="../../{path}" alt="{{{{ not a link }}}}">', {path})
    assert relink_jekyll_images("<p>plain</p>", "../") == ("<p>plain</p>", set())
