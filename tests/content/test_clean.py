"""The archive's clean HTML, kept in step: made once per article version, made again when
the article changes or the sanitizer does, and read by export and site."""

import pytest

from newsvault.config import SourceSettings
from newsvault.content import clean as clean_module
from newsvault.content.clean import displayed_contents, update_clean
from newsvault.model import Attachment, Entry
from newsvault.store import FetchRecord, open_store

RAW = '<p onclick="x()">正文 {n}<script>alert(1)</script><img src="pic{n}.jpg"></p>'


def clean_of(n: int) -> str:
    return (f'<p>正文 {n}<img src="http://a.test/story/pic{n}.jpg" loading="lazy"'
            ' referrerpolicy="no-referrer"></p>')


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "newsvault.db")
    store.sync_sources([SourceSettings("甲", "http://a.test/feed")], now_ms=1)
    yield store
    store.close()


def save(store, entries, at=1000):
    [source] = store.configured_sources()
    store.save_fetch(source, entries, FetchRecord(at, at, "ok", 200, items=len(entries)))


def item(n, content=None):
    return Entry(title=f"标题 {n}", url=f"http://a.test/story/{n}", guid=f"guid-{n}",
                 content_html=content if content is not None else RAW.format(n=n))


def stored_clean(store) -> dict[int, str]:
    return dict(store._db.execute("SELECT article_id, html FROM clean_html"))


def test_new_articles_are_cleaned_once(store):
    save(store, [item(1), item(2)])
    report = update_clean(store)
    assert (report.cleaned, report.reset) == (2, False)
    assert sorted(stored_clean(store).values()) == [clean_of(1), clean_of(2)]
    assert update_clean(store).cleaned == 0  # nothing changed: nothing cleaned


def test_progress_is_heard_after_each_batch_stored(store, monkeypatch):
    monkeypatch.setattr(clean_module, "BATCH", 2)
    save(store, [item(n) for n in range(1, 6)])
    heard = []
    update_clean(store, workers=1, on_progress=lambda done, total: heard.append((done, total)))
    assert heard == [(2, 5), (4, 5), (5, 5)]
    assert len(stored_clean(store)) == 5  # each was heard of once it was stored
    update_clean(store, workers=1, on_progress=lambda done, total: heard.append((done, total)))
    assert heard == [(2, 5), (4, 5), (5, 5)]  # nothing to clean: nothing to hear


def test_the_raw_content_stays_as_fetched(store):
    save(store, [item(1)])
    update_clean(store)
    [row] = store.export_rows()
    assert row.content_html == RAW.format(n=1)  # provenance: the store keeps the original


def test_a_revised_article_is_cleaned_again_and_only_it(store):
    save(store, [item(1), item(2)])
    update_clean(store)
    save(store, [item(1), item(2, "<p>改过<b>的</p>")], at=2000)
    assert update_clean(store).cleaned == 1
    assert "<p>改过<b>的</b></p>" in stored_clean(store).values()


def test_another_sanitizer_cleans_everything_again(store, monkeypatch):
    save(store, [item(1), item(2)])
    update_clean(store)
    monkeypatch.setattr(clean_module, "SANITIZER_VERSION", "a changed allowlist")
    report = update_clean(store)
    assert (report.cleaned, report.reset) == (2, True)
    assert store.clean_state()[1] == "a changed allowlist"


def test_readers_get_the_clean_html_even_before_an_update(store):
    save(store, [item(1)])
    update_clean(store)
    save(store, [item(1, "<p>新<script>x</script></p>"), item(2)], at=2000)  # not cleaned yet
    ids = [row.id for row in store.export_rows()]
    contents = displayed_contents(store, ids)
    assert sorted(contents.values()) == ["<p>新</p>", clean_of(2)]
    assert list(store.clean_contents(ids)) == []  # the stored one is out of date: not read


def test_export_rows_carry_the_clean_html_when_asked(store):
    save(store, [item(1)])
    update_clean(store)
    [clean_row] = store.export_rows(clean=True)
    [raw_row] = store.export_rows()
    assert (clean_row.content_html, clean_row.clean) == (clean_of(1), True)
    assert (raw_row.content_html, raw_row.clean) == (RAW.format(n=1), False)
    save(store, [item(1, "<p>新</p>")], at=2000)
    [stale] = store.export_rows(clean=True)
    assert (stale.content_html, stale.clean) == ("<p>新</p>", False)  # the exporter cleans it


def test_a_large_update_is_cleaned_by_worker_processes(store, monkeypatch):
    monkeypatch.setattr(clean_module, "_PROCESS_THRESHOLD", 5)
    monkeypatch.setattr(clean_module, "BATCH", 4)
    save(store, [item(n) for n in range(12)])
    assert update_clean(store, workers=2).cleaned == 12
    assert sorted(stored_clean(store).values()) == sorted(clean_of(n) for n in range(12))
    assert store.clean_state()[0] == store.current_seq()


def test_a_watermark_moved_by_another_process_starts_the_update_again(store, monkeypatch):
    save(store, [item(1), item(2)])
    real = store.save_clean
    calls = []

    def other_process_first(expected, new, cleaned):
        if not calls:
            calls.append(1)
            assert real(expected, new, cleaned)  # "the other process" stores the batch
        return real(expected, new, cleaned)

    monkeypatch.setattr(store, "save_clean", other_process_first)
    assert update_clean(store).cleaned == 0  # found done by the other one
    assert len(stored_clean(store)) == 2


# -- the files an item carries ---------------------------------------------------------------

EPISODE = Attachment("https://cdn.example.com/shows/Ep%201.mp3?x=1&y=2", "audio/mpeg", 24_986_239)


def displayed_with(store, attachments, content="<p>节目介绍</p>"):
    save(store, [Entry(title="一集", url="http://a.test/ep/1", guid="ep-1",
                       content_html=content, attachments=attachments)])
    update_clean(store)
    [article_id] = [row.id for row in store.export_rows()]
    return displayed_contents(store, [article_id])[article_id]


def test_an_audio_file_gets_a_player_and_a_link_after_the_content(store):
    shown = displayed_with(store, [EPISODE])
    url = "https://cdn.example.com/shows/Ep%201.mp3?x=1&amp;y=2"
    assert shown == (
        f'<p>节目介绍</p><figure><audio controls preload="none" src="{url}"></audio>'
        f'<figcaption><a href="{url}" rel="noopener noreferrer nofollow">Ep 1.mp3</a>'
        " (audio/mpeg, 25.0 MB)</figcaption></figure>")


def test_a_video_gets_a_video_player_and_another_file_a_link_only(store):
    shown = displayed_with(store, [Attachment("https://cdn.example.com/talk.webm", "video/webm", None),
                                   Attachment("https://cdn.example.com/notes.pdf", None, 512)])
    assert shown == (
        '<p>节目介绍</p><figure><video controls preload="none"'
        ' src="https://cdn.example.com/talk.webm"></video><figcaption>'
        '<a href="https://cdn.example.com/talk.webm" rel="noopener noreferrer nofollow">'
        "talk.webm</a> (video/webm)</figcaption></figure>"
        '<p><a href="https://cdn.example.com/notes.pdf" rel="noopener noreferrer nofollow">'
        "notes.pdf</a> (512 bytes)</p>")


def test_a_placeholder_length_of_a_recording_is_not_shown_as_its_size(store):
    shown = displayed_with(store, [Attachment("https://cdn.example.com/ep2.mp3", "audio/mpeg", 1)])
    assert "(audio/mpeg)</figcaption>" in shown and "bytes" not in shown


def test_a_file_the_content_plays_already_is_not_played_twice(store):
    played = '<p>听：</p><audio src="https://cdn.example.com/shows/Ep%201.mp3?x=1&y=2"></audio>'
    assert displayed_with(store, [EPISODE], played).count("<audio") == 1


def test_a_file_named_in_an_attribute_stays_an_address(store):
    hostile = Attachment('https://cdn.example.com/a.mp3"><script>alert(1)</script>', "audio/mpeg",
                         None)
    shown = displayed_with(store, [hostile])
    assert "<script" not in shown and shown.count("<audio") == 1
