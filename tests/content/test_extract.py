"""content/extract.py on the fixture pages, and on pages that are not what they seem."""

import pytest
from support.pages import boilerplate_in, fixture_pages, missing_body

from newsvault.content.extract import ExtractError, ExtractRules, extract_article

PAGES = {page.name: page for page in fixture_pages()}
URL = "https://news.example.org/2022/01/27/story.html"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_article_body_is_kept_and_the_boilerplate_dropped(name):
    page = PAGES[name]
    html = extract_article(page.html, URL, ExtractRules(None, page.remove_selectors),
                           title=page.title)
    assert missing_body(page, html) == []
    assert boilerplate_in(page, html) == []
    assert "<script" not in html and "<nav" not in html and "<footer" not in html


def test_structure_is_kept_headings_lists_quotes_tables_links_and_figures():
    blog = extract_article(PAGES["blog"].html, URL)
    for tag in ("<h2>", "<li>", "<blockquote>", "<table>", "<td>", "<strong>"):
        assert tag in blog, tag
    # links made absolute against the page's URL
    assert ('<a href="https://news.example.org/2021/11/creaks-that-are-not-the-bottom-bracket/">'
            in blog)
    # an image with its caption stays a figure
    assert ('<figure><img src="https://news.example.org/wp-content/uploads/2022/01/'
            'chain-before-after.jpg"') in blog
    assert "<figcaption>Left: three months of winter grime." in blog


def test_a_lazy_image_gets_its_real_address():
    zaobao = extract_article(PAGES["zaobao-like"].html, URL)
    assert 'src="https://news.example.org/images/2022/01/night-bus.jpg"' in zaobao
    assert "data:image/gif" not in zaobao


def test_the_title_repeated_as_a_heading_is_dropped():
    page = PAGES["english-news"]
    kept = extract_article(page.html, URL)
    dropped = extract_article(page.html, URL, title=page.title)
    assert f"<h1>{page.title}</h1>" in kept
    assert page.title not in dropped


def test_remove_selectors_take_elements_out_before_extraction():
    page = PAGES["bbc-like"]
    html = extract_article(page.html, URL, ExtractRules(remove_selectors=("p.copyright",)))
    assert "图像来源" not in html
    assert "图像来源" in extract_article(page.html, URL)


def test_a_content_selector_overrides_the_extractor():
    page = PAGES["english-news"]
    selected = extract_article(page.html, URL, ExtractRules("div.story-body"))
    # everything inside the selection, even what the extractor would have dropped...
    assert "Storm leaves hundreds of homes without power" in selected
    # ...and nothing outside it, not even what the extractor would have kept
    assert "Councillors back a plan" not in selected
    assert "Councillors back a plan" in extract_article(page.html, URL)
    # never scripts or forms, whatever the selection holds
    assert "<form" not in selected and "<input" not in selected


def test_a_content_selector_with_remove_selectors():
    page = PAGES["zaobao-like"]
    rules = ExtractRules("div.article-content-rawhtml", page.remove_selectors)
    html = extract_article(page.html, URL, rules)
    assert missing_body(page, html) == []
    assert boilerplate_in(page, html) == []
    assert "<figcaption>" in html
    unruled = extract_article(page.html, URL, ExtractRules("div.article-content-rawhtml"))
    assert "赞助内容：湖景公寓限时优惠" in unruled


def test_a_content_selector_that_matches_nothing_is_an_error():
    with pytest.raises(ExtractError, match="matches nothing"):
        extract_article(PAGES["blog"].html, URL, ExtractRules("div.no-such-thing"))


def test_the_encoding_comes_from_the_header_or_the_page():
    body = "<p>" + "这是用国标码写成的一段新闻正文，用来检查编码。" * 12 + "</p>"
    page = f"<html><head><meta charset='gbk'></head><body><article>{body}</article></body></html>"
    data = page.encode("gbk")
    assert "国标码" in extract_article(data, URL)  # from <meta charset>
    plain = f"<html><body><article>{body}</article></body></html>".encode("gb18030")
    assert "国标码" in extract_article(plain, URL, charset="gb18030")  # from Content-Type


@pytest.mark.parametrize(("sentence", "charset"), [
    ("这是用国标码写成的一段新闻正文，页面没有说明编码。", "gbk"),
    ("這是用大五碼寫成的一段新聞正文，頁面沒有說明編碼。", "big5"),
])
def test_a_chinese_page_that_names_no_charset_is_read_by_its_bytes(sentence, charset):
    page = f"<html><body><article><p>{sentence * 12}</p></article></body></html>"
    assert sentence in extract_article(page.encode(charset), URL)


def test_a_western_page_that_names_no_charset_is_still_latin_1():
    page = "<html><body><article><p>" + "Un café à Genève, très tôt le matin. " * 12 + "</p>"
    assert "Un café à Genève" in extract_article(page.encode("latin-1"), URL)


@pytest.mark.parametrize("page", [b"", b"<html><body></body></html>", b"\x00\x01\x02binary",
                                  b"<html><body><nav><a href='/'>Home</a></nav></body></html>"])
def test_a_page_without_an_article_is_an_error_not_a_crash(page):
    with pytest.raises(ExtractError):
        extract_article(page, URL)
