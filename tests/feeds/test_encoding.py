import pytest

from newsvault.feeds import parse_feed
from newsvault.feeds.encoding import to_utf8

from .helpers import parse_fixture

GB_TITLE = "经济新闻：粮食丰收，农民笑了"
BIG5_TITLE = "繁體新聞：港口繁忙，船隻進出"


@pytest.mark.parametrize(("fixture", "content_type", "title"), [
    ("utf8-bom.xml", None, "带BOM的标题"),
    ("utf8-bom.xml", "text/xml; charset=gbk", "带BOM的标题"),
    ("utf16-bom.xml", None, "UTF-16 标题"),
    ("utf16le-no-bom.xml", None, "UTF-16LE 无BOM"),
    ("gbk-declared-in-xml.xml", None, GB_TITLE),
    ("gbk-declared-in-xml.xml", "application/rss+xml; charset=UTF-8", GB_TITLE),
    ("gb2312-declared-in-xml.xml", None, GB_TITLE),
    ("gbk-no-declaration.xml", None, GB_TITLE),  # invalid UTF-8: GB18030
    ("big5-declared-in-xml.xml", None, BIG5_TITLE),
    ("big5-wrong-http-charset.xml", "text/xml; charset=gb2312", BIG5_TITLE),
    ("big5-wrong-http-charset.xml", "text/xml; charset=utf-8", BIG5_TITLE),
    ("big5-http-charset-only.xml", 'text/xml; charset="big5"', BIG5_TITLE),
    ("utf8-declared-gbk.xml", None, "其实是UTF-8"),  # valid UTF-8 beats a wrong prolog
    ("gbk-declared-utf8.xml", None, GB_TITLE),  # a false UTF-8 prolog: GB18030
    ("gbk-declared-utf8.xml", "text/xml; charset=gbk", GB_TITLE),
    ("windows-1252-declared.xml", None, "Café – “quoted”"),
    ("iso-8859-1-declared.xml", None, "Crème brûlée"),
])
def test_titles_come_out_right(fixture, content_type, title):
    feed = parse_fixture(fixture, content_type=content_type)
    assert feed.recovered is False
    assert [entry.title for entry in feed.entries] == [title]
    assert feed.entries[0].content_html == title


def test_big5_with_an_invalid_byte_stays_big5():
    feed = parse_fixture("big5-invalid-byte.xml")
    assert feed.entries[0].title == BIG5_TITLE
    assert feed.title == "繁體新聞：港口\ufffd繁忙，船隻進出"  # one replacement, not GB18030 mojibake


def test_big5hkscs_characters_decode():
    title = "香港用字：㗎嘅"  # characters only in HKSCS
    body = (f'<?xml version="1.0" encoding="big5"?>'
            f"<rss><channel><item><title>{title}</title></item></channel></rss>")
    feed = parse_feed(body.encode("big5hkscs"), url="https://x.example/")
    assert feed.entries[0].title == title


def test_big5_decodes_as_windows_writes_it():
    title = "新聞‧快訊：ひらがな"  # U+2027 and kana: cp950 and HKSCS read these bytes differently
    body = (f'<?xml version="1.0" encoding="big5"?>'
            f"<rss><channel><item><title>{title}</title></item></channel></rss>")
    feed = parse_feed(body.encode("cp950"), url="https://x.example/")
    assert feed.entries[0].title == title


def _big5_rss(label: str, title: bytes) -> bytes:
    return (f'<?xml version="1.0" encoding="{label}"?><rss><channel><item><title>'.encode()
            + title + b"</title></item></channel></rss>")


@pytest.mark.parametrize("label", ["big5-hkscs", "Big5-HKSCS", "big5hkscs"])
def test_a_feed_declared_hkscs_is_read_as_hkscs(label):
    title = "香港新聞 第①章 ② 港聞 ⅰⅱⅲ"  # cp950 reads the same bytes as kana
    feed = parse_feed(_big5_rss(label, title.encode("big5hkscs")), url="https://x.example/")
    assert feed.entries[0].title == title


# ‧ (A145) and ～ (A1E3) as every Big5 encoder writes them; Python's HKSCS codec reads • and ∼
BIG5_PUNCTUATION = "約翰‧史密斯～￥100﹑".encode("cp950")


@pytest.mark.parametrize(("label", "hkscs_only"), [
    ("big5-hkscs", ""), ("big5-hkscs", "嘅"), ("big5", "嘅")])
def test_hkscs_reads_big5_punctuation_as_cp950_does(label, hkscs_only):
    body = _big5_rss(label, BIG5_PUNCTUATION + hkscs_only.encode("big5hkscs"))
    feed = parse_feed(body, url="https://x.example/")
    assert feed.entries[0].title == "約翰‧史密斯～￥100﹑" + hkscs_only


def test_to_utf8_keeps_utf8_bodies_as_they_are():
    body = '<?xml version="1.0"?><rss/>'.encode()
    assert to_utf8(body) is body


def test_gbk_without_declaration_in_a_broken_feed():
    body = f"<rss><channel><title>A & B</title><item><title>{GB_TITLE}</title></item></channel></rss>"
    feed = parse_feed(body.encode("gbk"), url="https://x.example/")
    assert feed.recovered is True
    assert feed.entries[0].title == GB_TITLE


def test_gbk_bytes_in_a_large_cdata_section_of_a_gbk_feed():
    content = "<p>" + "长篇正文。" * 100 + "</p>"
    body = (f"<rss><channel><item><title>{GB_TITLE}</title>"
            f"<description><![CDATA[{content}]]></description></item></channel></rss>")
    feed = parse_feed(body.encode("gbk"), url="https://x.example/")
    assert (feed.entries[0].title, feed.entries[0].content_html) == (GB_TITLE, content)


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="utf-8"?>', ""])
def test_utf8_with_a_stray_bad_byte_stays_utf8(declaration):
    content = "<p>" + "正文" * 100 + "</p>"
    body = (f"{declaration}<rss><channel><item><title>{GB_TITLE}</title>"
            f"<description><![CDATA[{content}]]></description></item></channel></rss>").encode()
    body = body.replace("正文".encode(), b"\xff", 1)
    feed = parse_feed(body, url="https://x.example/")
    assert feed.entries[0].title == GB_TITLE
    assert feed.entries[0].content_html == content.replace("正文", "\ufffd", 1)


TRADITIONAL_STORY = ("王毅應約同布林肯通話，籲美停止干擾北京冬奧。中國外長今天與美國國務卿通電話時，"
                     "批評美國對華政策基調並未發生實質性變化。")
SIMPLIFIED_STORY = ("王毅应约同布林肯通话，吁美停止干扰北京冬奥。中国外长今天与美国国务卿通电话时，"
                    "批评美国对华政策基调并未发生实质性变化。")


@pytest.mark.parametrize(("text", "charset", "prolog"), [
    (TRADITIONAL_STORY, "big5", ""),
    (TRADITIONAL_STORY, "big5", '<?xml version="1.0" encoding="utf-8"?>'),  # a false UTF-8
    (SIMPLIFIED_STORY, "gbk", ""),
    (TRADITIONAL_STORY, "gbk", ""),  # traditional characters written in GBK
])
def test_an_undeclared_chinese_charset_is_told_by_its_bytes(text, charset, prolog):
    body = (f"{prolog}<rss><channel><title>t</title><item><title>{text[:12]}</title>"
            f"<description>{text}</description></item></channel></rss>").encode(charset)
    [entry] = parse_feed(body, url="https://x.example/").entries
    assert (entry.title, entry.content_html) == (text[:12], text)


@pytest.mark.parametrize("story", [
    "約翰‧史密斯今天抵港，～歡迎儀式在機場舉行。",  # Big5's punctuation as every encoder writes it
    "佢哋今日喺機場舉行歡迎儀式，約翰‧史密斯抵港。",  # and Hong Kong's characters (HKSCS)
], ids=["big5 punctuation", "hkscs characters"])
def test_an_undeclared_big5_feed_is_read_as_it_was_written(story):
    """Python's big5 read ‧ as •; a Cantonese character made the feed GB18030, garbled."""
    feed = (f"<rss><channel><title>t</title><item><title>{story[:8]}</title>"
            f"<description>{story}</description></item></channel></rss>")
    # Python's HKSCS writes Big5's ‧ (A1 45) from •, which it reads there
    body = feed.encode("cp950") if "佢" not in story else feed.replace("‧", "•").encode(
        "big5hkscs")
    [entry] = parse_feed(body, url="https://x.example/").entries
    assert (entry.title, entry.content_html) == (story[:8], story)
