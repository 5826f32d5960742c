"""Issue 3's acceptance queries in the browser: the shared corpus plus the seed post,
built with ``newsvault build`` and served by ``newsvault serve``; the search page answers
from the static index (search-index/) alone, which the test proves by stopping every
request to /api/search. The top hits must be articles whose page holds the term.

Needs ../shared/corpus and Debian's chromium; skipped without them.
"""

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from newsvault.search.fold import fold
from support.corpus import SEED_URL, corpus_archive, newsvault
from test_browser import CHROMIUM, Watched
from test_serve import serving

TOP = 5

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    news = corpus_archive(tmp_path_factory.mktemp("browser-corpus"))
    newsvault("build", cwd=news)
    with serving(news) as url:
        yield url, news / "site"


def search_in_browser(browser, url: str, query: str) -> tuple[list[dict], list[str], Watched]:
    """The hits the search page lists: title, page path, marked words; and the URLs of
    every response the query needed."""
    reader = Watched(browser, allowed={"127.0.0.1"})
    reader.context.route("**/api/search*", lambda route: route.abort())
    fetched = []
    reader.page.on("response", lambda response: fetched.append(response.url))
    reader.page.goto(f"{url}search/index.html?q={quote(query)}")
    reader.page.locator("#search-results li").first.wait_for()  # all hits come at once
    hits = reader.page.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        title: li.querySelector('a').textContent,
        href: li.querySelector('a').href,
        marks: [...li.querySelectorAll('mark')].map(m => m.textContent)}))""")
    reader.context.close()
    return hits, fetched, reader


def page_html(site: Path, href: str) -> str:
    return (site / unquote(urlsplit(href).path).lstrip("/")).read_text(encoding="utf-8")


def page_text(site: Path, href: str) -> str:
    return re.sub(r"<[^>]+>", "", page_html(site, href))


def holds(site: Path, hit: dict, term: str) -> bool:
    wanted = fold(term).casefold()
    return wanted in fold(hit["title"]).casefold() or wanted in fold(page_text(site, hit["href"])).casefold()


@pytest.mark.parametrize("query, term", [
    ("冬奥", "冬奥"), ("布林肯", "布林肯"), ("臺灣", "台湾"), ("VPN", "VPN"),
])
def test_the_top_hits_hold_the_term_and_the_best_has_it_in_its_title(served, browser, query, term):
    url, site = served
    hits, _, reader = search_in_browser(browser, url, query)
    assert len(hits) >= TOP
    assert all(holds(site, hit, term) for hit in hits[:TOP]), [hit["title"] for hit in hits[:TOP]]
    assert fold(term).casefold() in fold(hits[0]["title"]).casefold()
    assert reader.outside == [] and reader.errors == []


def test_the_seed_post_is_among_the_top_hits_for_winter_olympics(served, browser):
    url, site = served
    hits, _, _ = search_in_browser(browser, url, "冬奥")
    assert any(SEED_URL in page_html(site, hit["href"]) for hit in hits[:TOP])


def test_a_quoted_english_name_finds_the_seed_post(served, browser):
    url, site = served
    hits, _, _ = search_in_browser(browser, url, '"Ned Price"')
    assert any(SEED_URL in page_html(site, hit["href"]) for hit in hits)
    assert all(holds(site, hit, "Ned") and holds(site, hit, "Price") for hit in hits)


def test_taiwan_in_traditional_also_finds_articles_written_in_simplified(served, browser):
    url, site = served
    hits, _, _ = search_in_browser(browser, url, "臺灣")
    texts = [hit["title"] + page_text(site, hit["href"]) for hit in hits]
    assert any("台湾" in text for text in texts) and any("臺灣" in text for text in texts)


def test_a_query_reads_a_few_small_files_of_the_index_and_no_article_page(served, browser):
    url, _ = served
    _, fetched, _ = search_in_browser(browser, url, "冬奥")
    index_files = [u for u in fetched if "/search-index/" in u]
    assert any(u.endswith(".bin") for u in index_files)
    assert not [u for u in fetched if u.endswith("/index.html") and "/search/" not in u]
