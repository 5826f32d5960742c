"""The cache folder: what is costly to make is made once, and a lost or damaged copy is
made again."""

from newsvault.cache import cache_folder, cached
from newsvault.search.fold import _fold_table, fold


def test_a_value_is_made_once_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = []

    def make():
        made.append(1)
        return {0x81FA: "台"}

    assert cached("table-1", make) == {0x81FA: "台"}
    assert cached("table-1", make) == {0x81FA: "台"} and len(made) == 1
    (tmp_path / "newsvault/data/table-1").write_bytes(b"\x00damaged")
    assert cached("table-1", make) == {0x81FA: "台"} and len(made) == 2


def test_without_a_writable_cache_the_value_is_made_each_time(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert cache_folder("data") is None
    assert cached("table-1", lambda: [1, 2]) == [1, 2]


def test_the_fold_table_read_from_the_cache_is_opencc_s():
    """The table behind ``fold`` comes from the cache after the first process: it must be
    what OpenCC gives now."""
    from newsvault.search.fold import _folding

    assert _folding()[0] == _fold_table()
    assert fold("臺灣ＶＰＮ") == "台湾VPN"
