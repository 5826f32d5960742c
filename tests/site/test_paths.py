"""Permalinks, relative links and stable pagination."""

import pytest

from newsvault.site import paths


@pytest.mark.parametrize("text, slug", [
    ("王毅应约同布林肯通话 吁美停止干扰北京冬奥", "王毅应约同布林肯通话-吁美停止干扰北京冬奥"),
    ("没什么可隐藏的 - 这个愚蠢的反人权论调从何而来？ - iYouPort",
     "没什么可隐藏的-这个愚蠢的反人权论调从何而来-iyouport"),
    ("《數字極權時代生存手記》9.即時通訊應用泛論", "數字極權時代生存手記-9-即時通訊應用泛論"),
    ("Hello, World!", "hello-world"),
    ("  --Time up for TikTok？-- ", "time-up-for-tiktok"),
    ("naïve café", "naïve-café"),
    ("e\u0301te\u0301", "e\u0301te\u0301"),  # combining marks are kept, as Jekyll's \p{M}
    ("①②③ x²", "x"),  # numbers that are not decimal digits are not
    ("？？？", ""),
])
def test_slugify_is_jekylls_default_mode(text, slug):
    assert paths.slugify(text) == slug


def test_post_slug_comes_from_the_file_name_after_the_date():
    assert paths.post_slug("2022-01-27-王毅应约同布林肯通话 吁美停止干扰北京冬奥.md") == \
        "王毅应约同布林肯通话-吁美停止干扰北京冬奥"
    assert paths.post_slug("2024-03-15-Time up for TikTok？.md") == "time-up-for-tiktok"
    assert paths.name_day("2024-03-15-Time up.md") == "2024-03-15"
    assert paths.name_day("notes.md") is None


def test_clashing_folders_go_to_the_lowest_id_first():
    given = paths.unique_dirs([(9, "2022-01-01/a/"), (3, "2022-01-01/a/"), (5, "2022-01-01/a/"),
                               (4, "2022-01-01/b/")])
    assert given == {3: "2022-01-01/a/", 5: "2022-01-01/a-2/", 9: "2022-01-01/a-3/",
                     4: "2022-01-01/b/"}


def test_relative_root_and_url_paths():
    assert paths.root_of("index.html") == ""
    assert paths.root_of("2022-01-27/slug/index.html") == "../../"
    assert paths.root_of("source/bbc/page/3/index.html") == "../../../../"
    assert paths.url_path("2022-01-27/冬奥/") == "2022-01-27/%E5%86%AC%E5%A5%A5/"


@pytest.mark.parametrize("count", [0, 1, 49, 50, 51, 99, 100, 101, 250])
def test_numbered_pages_hold_fixed_articles_and_the_first_page_the_newest(count):
    pages = paths.full_pages(count)
    shown = [position for number in range(1, pages + 1) for position in paths.page_range(number)]
    assert shown == list(range(pages * paths.PER_PAGE))  # every full page, oldest first
    first = paths.first_page_range(count)
    assert list(first) == list(range(max(count - 50, 0), count))
    older = paths.older_than_first(count)
    if count <= paths.PER_PAGE:
        assert older is None
    else:  # the page holding the article just below the first page
        assert first.start - 1 in paths.page_range(older)


def test_a_new_article_changes_no_numbered_page_until_one_fills():
    before = {n: list(paths.page_range(n)) for n in range(1, paths.full_pages(120) + 1)}
    after = {n: list(paths.page_range(n)) for n in range(1, paths.full_pages(121) + 1)}
    assert before == after
    assert paths.full_pages(150) == 3 and paths.newer_page(2, 150) == 3
    assert paths.newer_page(3, 150) is None  # the newest numbered page leads to the first


def test_list_page_paths():
    assert paths.list_page_path("", None) == "index.html"
    assert paths.list_page_path("source/bbc/", 3) == "source/bbc/page/3/index.html"


@pytest.mark.parametrize("slug, folder", [
    ("con", "con-1"), ("NUL", "NUL-1"), ("lpt9", "lpt9-1"), ("com1.txt", "com1.txt-1"),
    ("aux ", "aux -1"), ("console", "console"), ("com10", "com10"), ("con-1", "con-1"),
])
def test_a_windows_device_name_is_no_folder_name(slug, folder):
    assert paths.folder_name(slug) == folder
    assert paths.article_dir("2022-01-01", "con") == "2022-01-01/con-1/"
