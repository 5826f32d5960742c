"""The build's state in the output folder: read back as written, and written back only
where it changed."""

import marshal

from newsvault.site.state import STATE_DIR, STATE_FILE, BuildState, bucket_file


def _catalog(ids, title="标题", seq=1):
    return {"key": ["Asia/Shanghai", [], 3], "seq": seq,
            "articles": {article_id: (article_id, f"{title} {article_id}") for article_id in ids}}


def _pages(ids, digest="d0"):
    pages = [(f"a/{article_id}/index.html", f"{digest}-{article_id}", article_id) for article_id in ids]
    return pages + [("index.html", digest, None), ("feed.xml", "f", None)]


def _files(out):
    return {path.name: path.read_bytes() for path in (out / STATE_DIR).iterdir()}


IDS = [1, 2, 1023, 1024, 1025, 5000]  # four files of articles: 0, 1, 4 (and the main one)


def test_what_is_saved_is_loaded(tmp_path):
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS), None, {"seq": 7})
    state = BuildState.load(tmp_path)
    assert state.pages == {path: digest for path, digest, _ in _pages(IDS)}
    assert state.catalog == _catalog(IDS)
    assert state.search == {"seq": 7}
    assert sorted(_files(tmp_path)) == ["a0", "a1", "a4", "state"]


def test_one_changed_article_rewrites_its_file_and_the_main_one_only(tmp_path):
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS), None, {"seq": 7})
    before = _files(tmp_path)
    state = BuildState.load(tmp_path)
    catalog = state.catalog
    catalog["articles"][1025] = (1025, "改过的标题")
    catalog["seq"] = 2
    pages = [(path, "d1-1025" if article_id == 1025 else digest, article_id)
             for path, digest, article_id in _pages(IDS)]
    state.save(tmp_path, pages, catalog, [1025], {"seq": 8})
    after = _files(tmp_path)
    assert {name for name in after if after[name] != before[name]} == {"a1", "state"}
    assert BuildState.load(tmp_path).catalog["articles"][1025] == (1025, "改过的标题")


def test_a_page_that_is_no_longer_made_leaves_its_file(tmp_path):
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS), None, {})
    state = BuildState.load(tmp_path)
    remaining = [article_id for article_id in IDS if article_id != 5000]
    state.save(tmp_path, _pages(remaining), _catalog(remaining), None, {})
    assert "a/5000/index.html" not in BuildState.load(tmp_path).pages
    assert sorted(_files(tmp_path)) == ["a0", "a1", "state"]  # a4 had only that article


def test_a_damaged_state_is_no_state_not_a_wrong_one(tmp_path):
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS), None, {"seq": 7})
    for damage in (b"\x00garbage", marshal.dumps(42), marshal.dumps(({}, {}, {}))):
        (tmp_path / bucket_file(0)).write_bytes(damage)
        assert BuildState.load(tmp_path) == BuildState()  # the next build makes every page


def test_a_build_killed_before_its_main_file_is_caught_up_by_the_next(tmp_path):
    """The articles' files are written first, the main one (with the catalog's watermark)
    last: a build killed between them leaves newer entries under an older watermark, and
    the next build reads those articles again."""
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS, seq=1), None, {})
    main = (tmp_path / STATE_FILE).read_bytes()
    state = BuildState.load(tmp_path)
    state.save(tmp_path, _pages(IDS), _catalog(IDS, title="新", seq=2), IDS, {})
    (tmp_path / STATE_FILE).write_bytes(main)  # as if killed before the main file's rename
    loaded = BuildState.load(tmp_path)
    assert loaded.catalog["seq"] == 1 and loaded.catalog["articles"][1] == (1, "新 1")


def test_the_single_file_of_the_first_format_is_replaced(tmp_path):
    (tmp_path / STATE_DIR).write_bytes(b"an old manifest")
    assert BuildState.load(tmp_path) == BuildState()
    BuildState().save(tmp_path, _pages(IDS), _catalog(IDS), None, {})
    assert (tmp_path / STATE_FILE).is_file() and BuildState.load(tmp_path).catalog == _catalog(IDS)
