"""``newsvault build`` on a small archive of made-up articles: the pages, their links, the
feeds, determinism and incremental rebuilds."""

import hashlib
import re
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from newsvault.archive import open_archive
from newsvault.site import build_archive_site, build_site, builder, site_options
from newsvault.site.builder import SiteError
from newsvault.site.state import STATE_FILE, bucket_file
from site_support import DAY_MS, START_MS, WINTER_GAMES_TITLE, make_archive

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def files_of(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def article_page(site: Path, title: str) -> Path:
    [page] = [path for path in site.glob("20*/*/index.html")
              if f"<h1>{title}</h1>" in path.read_text(encoding="utf-8")]
    return page


def test_the_site_has_every_kind_of_page(small_archive):
    report = build_archive_site(small_archive.archive)
    site = small_archive.site
    for path in ["index.html", "page/1/index.html", "page/2/index.html", "404.html",
                 "sources/index.html", "tag/index.html", "archive/index.html",
                 "archive/2022-01/index.html", "search/index.html", "feed.xml", "sitemap.xml",
                 "robots.txt", "assets/site.css", "assets/search.js", ".nojekyll", STATE_FILE,
                 "source/晨报/index.html", "source/晨报/page/2/index.html",
                 "source/晨报/feed.xml", "source/evening-post/index.html", "tag/周刊/index.html"]:
        assert (site / path).is_file(), path
    assert not (site / "page/3/index.html").exists()  # 132 articles: two full pages
    assert report.pages == report.rendered and report.written > report.pages
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count("<li>") == 50 and "132 篇" in home
    assert home.index(WINTER_GAMES_TITLE) < home.index("晨报的第120篇报道")  # newest first
    assert "2022年5月" in home and 'href="page/2/index.html"' in home


def test_an_article_page_shows_what_the_issue_lists(small_archive):
    build_archive_site(small_archive.archive)
    page = article_page(small_archive.site, WINTER_GAMES_TITLE)
    assert page.parent.name == "北京冬奥会开幕式今晚举行"
    assert page.parent.parent.name == "2022-05-11"  # Jekyll's :year-:month-:day
    html = page.read_text(encoding="utf-8")
    assert "2022-05-11 08:00" in html  # published 00:00 UTC, shown in Asia/Shanghai
    assert "修订 2 次" in html  # three versions
    assert 'href="https://news.example/131"' in html and ">原文</a>" in html
    assert 'href="../../source/晨报/index.html">晨报</a>' in html
    assert 'href="../../tag/晨报/index.html">#晨报</a>' in html
    assert 'rel="prev" href="../../2022-04-30/晨报的第120篇报道/index.html"' in html
    assert 'rel="next"' not in html  # the newest of its source
    assert "记者" in html  # the author
    assert "<p>冬奥会开幕式在国家体育场举行（虚构测试稿）。</p>" in html


def test_a_revised_article_shows_what_it_said_before_newest_first(small_archive):
    build_archive_site(small_archive.archive)
    html = article_page(small_archive.site, WINTER_GAMES_TITLE).read_text(encoding="utf-8")
    versions = html[html.index('<section id="versions"'):html.index("</section>")]
    assert '<a href="#versions">修订 2 次</a>' in html
    assert versions.count("<details>") == 2
    first, second = versions.index("（旧稿 1）"), versions.index("（旧稿 0）")
    assert first < second  # the newest earlier version first
    assert "<p>旧稿 1</p>" in versions and "<p>旧稿 0</p>" in versions
    assert '<time datetime="2022-05-11T00:00:00Z">2022-05-11 08:00</time> 起所见' in versions
    unrevised = article_page(small_archive.site, "晨报的第1篇报道").read_text(encoding="utf-8")
    assert "未修订" in unrevised and 'id="versions"' not in unrevised


def test_an_edit_at_the_source_shows_the_version_before_it_safely(small_archive):
    made = small_archive
    made.add("周刊", "原标题", '<p>原文<script>alert(1)</script><img src="x" onerror="alert(2)"></p>',
             START_MS + 200 * DAY_MS, url="https://news.example/edited")
    build_archive_site(made.archive)
    made.fetch_again("周刊", "https://news.example/edited", "改过的标题", "<p>改过的正文</p>",
                     START_MS + 201 * DAY_MS)
    report = build_archive_site(made.archive)
    assert report.rendered < report.pages  # incremental: the edited article's page among them
    html = article_page(made.site, "改过的标题").read_text(encoding="utf-8")
    versions = html[html.index('<section id="versions"'):html.index("</section>")]
    assert "原标题" in versions and "原文" in versions and "<p>改过的正文</p>" not in versions
    assert "<script" not in versions and "onerror" not in versions and "alert" not in versions


def test_our_own_bytes_per_article_page_stay_under_30_kb(small_archive):
    build_archive_site(small_archive.archive)
    page = article_page(small_archive.site, WINTER_GAMES_TITLE).read_bytes()
    body = "<p>冬奥会开幕式在国家体育场举行（虚构测试稿）。</p>".encode()
    assets = small_archive.site / "assets"
    ours = len(page) - len(body) + (assets / "site.css").stat().st_size
    assert ours <= 30 * 1024, ours


def test_a_broken_article_cannot_swallow_the_page(small_archive):
    build_archive_site(small_archive.archive)
    html = article_page(small_archive.site, "一篇坏掉的稿件").read_text(encoding="utf-8")
    body = html[html.index('<div class="content">'):]
    assert "<b>粗体</b></td></tr></tbody></table></div>\n</div>\n</article>" in body


def test_every_relative_link_leads_to_a_file(small_archive):
    build_archive_site(small_archive.archive)
    site = small_archive.site
    checked = 0
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue  # its links start from the site's root path: it is served at any depth
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            if urlsplit(link).scheme or link.startswith("#"):
                continue
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} → {link}"
            assert site.resolve() in target.parents
            checked += 1
    assert checked > 1000


def test_feeds_and_sitemap_are_valid_xml(small_archive):
    build_archive_site(small_archive.archive)
    site = small_archive.site
    feed = etree.parse(str(site / "feed.xml")).getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 100
    assert entries[0].findtext(f"{ATOM}title") == WINTER_GAMES_TITLE
    assert entries[0].findtext(f"{ATOM}summary").startswith("冬奥会开幕式")
    for required in ("id", "updated", "published", "link", "author"):
        assert entries[-1].find(f"{ATOM}{required}") is not None
    source_feed = etree.parse(str(site / "source/周刊/feed.xml")).getroot()
    assert len(source_feed.findall(f"{ATOM}entry")) == 4
    # without base_url, links are relative to the feed: they lead to the pages
    link = source_feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert (site / "source/周刊" / unquote(link)).resolve().is_file()
    index = etree.parse(str(site / "sitemap.xml")).getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = []
    for loc in index.iter(f"{SITEMAP}loc"):
        sitemap = etree.parse(str(site / unquote(loc.text))).getroot()
        assert sitemap.tag == f"{SITEMAP}urlset"
        urls += [(site / unquote(loc.text)).parent / unquote(url.text)
                 for url in sitemap.iter(f"{SITEMAP}loc")]
    assert len(urls) > 132 and all(url.resolve().is_file() for url in urls)


def reopened_with(made, old: str, new: str):
    """The archive reopened after ``old`` became ``new`` in its newsvault.toml."""
    config = made.archive.config_path
    config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    made.archive.close()
    return open_archive(made.archive.root)


def test_base_url_makes_feed_and_sitemap_urls_absolute(tmp_path):
    made = make_archive(tmp_path / "news", {"晨报": 3})
    archive = reopened_with(made, 'language = "zh"',
                            'language = "zh"\nbase_url = "https://example.github.io/news"')
    build_archive_site(archive)
    site = archive.root / "site"
    feed = etree.parse(str(site / "feed.xml")).getroot()
    href = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert href.startswith("https://example.github.io/news/2022-01-")
    assert href.endswith("/") and "%E6%99%A8" in href  # percent-encoded, no index.html
    loc = etree.parse(str(site / "sitemap.xml")).getroot()[0][0].text
    assert loc == "https://example.github.io/news/archive/2022-01/sitemap.xml"
    url = etree.parse(str(site / "archive/2022-01/sitemap.xml")).getroot()[0][0].text
    assert url.startswith("https://example.github.io/news/2022-01-01/")
    assert "Sitemap: https://example.github.io/news/sitemap.xml" in (site / "robots.txt").read_text()
    page = next(site.glob("2022-01-01/*/index.html")).read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.github.io/news/2022-01-01/' in page
    assert 'href="/news/assets/site.css"' in (site / "404.html").read_text(encoding="utf-8")
    archive.close()


def test_a_time_no_zone_can_show_stops_no_build(tmp_path):
    # an older newsvault imported Go's zero time as it was: year 0 west of UTC
    made = make_archive(tmp_path / "news", {"晨报": 1})
    made.add("晨报", "零点", "<p>x</p>", -62_135_596_800_000)  # 0001-01-01T00:00:00Z
    made.add("晨报", "万年", "<p>y</p>", 253_402_343_999_000)  # 9999-12-31 23:59:59 -12:00
    archive = reopened_with(made, 'timezone = "Asia/Shanghai"',
                            'timezone = "America/Los_Angeles"')
    build_archive_site(archive)
    pages = [path.read_text(encoding="utf-8")
             for path in (archive.root / "site").glob("[0-9]*-*-*/*/index.html")]
    assert len(pages) == 3 and any("零点" in page for page in pages) \
        and any("万年" in page for page in pages)
    archive.close()


def test_a_source_or_tag_named_by_a_long_feed_title_has_a_folder_that_fits(tmp_path):
    """A folder name is at most 255 bytes: 86 Chinese characters did not fit, and every
    `run` after `add` took such a feed title stopped at the build."""
    long_name = "标" * 100
    made = make_archive(tmp_path / "news", {long_name: 2, long_name + "乙": 1})
    archive = reopened_with(made, "[export.jekyll]", f'[[sources]]\nname = "{long_name}"\n'
                            f'url = "https://0.example/feed"\ntags = ["{"签" * 100}"]\n\n'
                            "[export.jekyll]")
    build_archive_site(archive)
    site = archive.root / "site"
    folders = sorted(path.name for path in (site / "source").iterdir())
    assert folders == ["标" * 80, "标" * 80 + "-2"]  # 240 bytes; one name's clash made unique
    assert (site / "tag" / ("签" * 80) / "index.html").exists()
    archive.close()


def test_a_tag_written_in_two_cases_is_one_tag_page(tmp_path):
    """"AI" and "ai" were two pages (tag/ai/ and tag/ai-2/), two tags to readers."""
    made = make_archive(tmp_path / "news", {"甲报": 2, "乙报": 1})
    sources = "".join(f'[[sources]]\nname = "{name}"\nurl = "https://{n}.example/feed"\n'
                      f'tags = ["{tag}"]\n\n'
                      for n, (name, tag) in enumerate((("甲报", "AI"), ("乙报", "ai"))))
    archive = reopened_with(made, "[export.jekyll]", sources + "[export.jekyll]")
    build_archive_site(archive)
    site = archive.root / "site"
    assert sorted(path.name for path in (site / "tag").iterdir() if path.is_dir()) == \
        ["ai", "乙报", "甲报"]
    tag_page = (site / "tag/ai/index.html").read_text(encoding="utf-8")
    assert all(f"{name}的第{n}篇报道" in tag_page for name, n in (("甲报", 1), ("甲报", 2),
                                                               ("乙报", 1)))
    assert "<h1>标签：AI</h1>" in tag_page  # named by its most used spelling
    article = article_page(site, "乙报的第1篇报道").read_text(encoding="utf-8")
    assert 'href="../../tag/ai/index.html">#ai<' in article  # as written, to the one page
    archive.close()


def test_an_imported_post_whose_date_is_no_iso_day_has_its_file_names_day(tmp_path):
    from newsvault.export.jekyll_import import import_jekyll

    made = make_archive(tmp_path / "news", {"晨报": 1})
    posts = tmp_path / "_posts"
    posts.mkdir()
    for name, date in (("2022-01-05-single.md", "2022-1-5"),
                       ("2022-01-11-rfc.md", "Tue, 11 Jan 2022 10:00:00 +0000")):
        (posts / name).write_text(f"---\ntitle: {name[11:-3]}\ndate: {date}\n---\n<p>x</p>\n",
                                  encoding="utf-8")
    assert import_jekyll(made.archive.store, posts).imported == 2
    build_archive_site(made.archive)
    site = made.archive.root / "site"
    assert (site / "2022-01-05/single/index.html").is_file()  # Jekyll's day, not /undated/
    assert (site / "2022-01-11/rfc/index.html").is_file()
    made.archive.close()


def test_the_same_archive_gives_the_same_bytes(small_archive, tmp_path):
    build_archive_site(small_archive.archive)
    build_archive_site(small_archive.archive, tmp_path / "again", full=True)
    assert files_of(small_archive.site) == files_of(tmp_path / "again")


def test_one_new_article_rewrites_only_the_pages_that_show_it(small_archive):
    build_archive_site(small_archive.archive)
    site = small_archive.site
    before = {path: hashlib.sha256(data).hexdigest() for path, data in files_of(site).items()}
    mtimes = {path: (site / path).stat().st_mtime_ns for path in before}
    small_archive.add("周刊", "周刊的新稿件", "<p>新的一篇。</p>", START_MS + 140 * DAY_MS)
    report = build_archive_site(small_archive.archive)
    after = {path: hashlib.sha256(data).hexdigest() for path, data in files_of(site).items()}
    changed = {path for path in after if before.get(path) != after[path]}
    new_page = str(article_page(site, "周刊的新稿件").relative_to(site))
    expected = {
        new_page,
        str(article_page(site, "一篇坏掉的稿件").relative_to(site)),  # its older neighbour
        "index.html", "source/周刊/index.html", "tag/周刊/index.html",
        "archive/2022-05/index.html", "archive/index.html", "tag/index.html",
        "sources/index.html", "feed.xml", "source/周刊/feed.xml", "archive/2022-05/sitemap.xml",
        STATE_FILE, bucket_file(0),  # the build's state: its main file, and its articles'
    }
    searching = {path for path in changed if path.startswith("search-index/")}
    assert changed - searching == expected
    assert report.rendered == len(expected) - 2  # the state is not a page
    # the search index: its manifest, and a small delta segment beside the untouched base
    segment_files = [path.split("/")[1:] for path in searching - {"search-index/index.json"}]
    assert "search-index/index.json" in searching
    assert len({segment for segment, _ in segment_files}) == 1
    assert sorted(name for _, name in segment_files) == ["m0.json", "s0.bin"]
    untouched = [path for path in before if path not in changed]
    assert all((site / path).stat().st_mtime_ns == mtimes[path] for path in untouched)


def test_a_theme_file_replaces_the_packages(small_archive):
    theme = small_archive.archive.root / "theme"
    theme.mkdir()
    (theme / "site.css").write_text("body{color:red}\n", encoding="utf-8")
    (theme / "404.html").write_text("{{ t.not_found }}!\n", encoding="utf-8")
    build_archive_site(small_archive.archive)
    site = small_archive.site
    assert (site / "assets/site.css").read_text() == "body{color:red}\n"
    assert (site / "404.html").read_text(encoding="utf-8") == "找不到这个页面!\n"


def test_english_ui_by_setting(tmp_path):
    made = make_archive(tmp_path / "news", {"Morning": 2})
    archive = reopened_with(made, 'language = "zh"', 'language = "en"')
    build_archive_site(archive)
    home = (archive.root / "site/index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in home and "January 2022" in home and ">Sources</a>" in home
    archive.close()


def test_a_page_that_is_gone_is_deleted(small_archive):
    build_archive_site(small_archive.archive)
    gone = article_page(small_archive.site, "一篇坏掉的稿件")
    with sqlite3.connect(small_archive.archive.root / "newsvault.db") as db:  # no API deletes
        db.execute("DELETE FROM articles WHERE title = '一篇坏掉的稿件'")
    report = build_archive_site(small_archive.archive)
    assert report.deleted == 1
    assert not gone.exists() and not gone.parent.exists()
    assert "一篇坏掉的稿件" not in (small_archive.site / "source/周刊/index.html").read_text()


def test_a_build_removes_what_a_killed_one_left_and_leaves_no_scratch(small_archive):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    site = small_archive.site
    litter = [site / ".newsvault-tmp" / f".newsvault-{ended.pid}-1.tmp",
              site / "assets/media/.newsvault-tmp" / f".newsvault-{ended.pid}-2.tmp"]
    for path in litter:
        path.parent.mkdir(parents=True)
        path.write_bytes(b"half a page")
    build_archive_site(small_archive.archive)
    left = [path for path in site.rglob("*") if path.name.endswith((".tmp", ".newsvault-tmp"))]
    assert left == []


def test_a_broken_theme_template_is_named_not_a_traceback(small_archive):
    theme = small_archive.archive.root / "theme"
    theme.mkdir()
    (theme / "404.html").write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"a template failed: .*404\.html:1"):
        build_archive_site(small_archive.archive)


def test_a_build_leaves_the_garbage_collector_as_it_found_it(small_archive):
    """The build pauses cyclic collection and freezes what it loaded; a long-lived process
    (serve --build, run --every, these tests) must get both back, failed builds included."""
    import gc

    build_archive_site(small_archive.archive)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    theme = small_archive.archive.root / "theme"
    theme.mkdir()
    (theme / "404.html").write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(SiteError):
        build_archive_site(small_archive.archive, full=True)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_worker_processes_write_the_same_bytes(small_archive, tmp_path, monkeypatch):
    build_archive_site(small_archive.archive)
    monkeypatch.setattr(builder, "_POOL_THRESHOLD", 1)
    options = site_options(small_archive.archive)
    build_site(small_archive.archive.store, tmp_path / "pooled", options, workers=2)
    assert files_of(small_archive.site) == files_of(tmp_path / "pooled")


def test_a_new_sanitizer_renders_every_page_again(small_archive, monkeypatch):
    build_archive_site(small_archive.archive)
    again = build_archive_site(small_archive.archive)
    assert again.rendered == 0
    from newsvault.content import clean as clean_stage

    for module in (builder, clean_stage):
        monkeypatch.setattr(module, "SANITIZER_VERSION", "another allowlist")
    report = build_archive_site(small_archive.archive)
    assert report.rendered == report.pages  # every page depends on it (the fingerprint)


UNTITLED_BODY = "<p>无题稿件的正文开头在这里，后面还有很多很多文字，一直写到第三十个字以后。</p>"


def test_an_article_without_a_title_is_shown_with_the_start_of_its_text(small_archive):
    small_archive.add("周刊", "  \t", UNTITLED_BODY, START_MS + 200 * DAY_MS)
    small_archive.add("周刊", "", "<p> </p>", START_MS + 201 * DAY_MS)
    build_archive_site(small_archive.archive)
    site = small_archive.site
    lead = "无题稿件的正文开头在这里，后面还有很多很多文字，一直写到第三"
    assert len(lead) == 30
    for path in ["index.html", "source/周刊/index.html",
                 "tag/周刊/index.html", "archive/2022-07/index.html"]:
        html = (site / path).read_text(encoding="utf-8")
        assert f">{lead}…</a>" in html, path
        assert "></a>" not in html, path
    html = (site / "index.html").read_text(encoding="utf-8")
    assert ">(无标题)</a>" in html
    page = article_page(site, lead + "…").read_text(encoding="utf-8")
    assert f"<title>{lead}… · 测试站</title>" in page
    assert "(无标题)</a>" in page  # the next article in its source
    entries = etree.parse(str(site / "feed.xml")).getroot().findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries[:2]] == ["(无标题)", lead + "…"]
    meta = "".join(path.read_text(encoding="utf-8")
                   for path in (site / "search-index").rglob("m*.json"))
    assert f'"{lead}…"' in meta and '"(无标题)"' in meta
    store = small_archive.archive.store
    with sqlite3.connect(store.path) as db:  # the archive keeps its titles as they were
        assert {row[0] for row in db.execute("SELECT title FROM articles")} >= {"  \t", ""}


def test_a_new_source_whose_name_sorts_first_does_not_take_an_existing_folder(tmp_path):
    made = make_archive(tmp_path / "news", {"RFI 华语/法广": 2})
    build_archive_site(made.archive)
    folder = made.site / "source/rfi-华语-法广"
    made.sources["RFI 华语 法广"] = made.archive.store.ensure_source(
        "RFI 华语 法广", "https://rfi2.example/feed", 0)
    made.add("RFI 华语 法广", "新来源的报道", "<p>新来源。</p>", START_MS + 5 * DAY_MS)
    build_archive_site(made.archive)
    for old in [folder, made.site / "tag/rfi-华语-法广"]:
        assert "RFI 华语/法广</h1>" in (old / "index.html").read_text(encoding="utf-8")
        assert "新来源的报道" not in (old / "index.html").read_text(encoding="utf-8")
        newcomer = old.with_name("rfi-华语-法广-2") / "index.html"
        assert "新来源的报道" in newcomer.read_text(encoding="utf-8")
    assert "新来源的报道" not in (folder / "feed.xml").read_text(encoding="utf-8")
    made.archive.close()


def test_no_folder_is_named_as_a_windows_device(tmp_path):
    made = make_archive(tmp_path / "news", {"CON": 1})
    made.add("CON", "nul", "<p>设备名。</p>", START_MS + DAY_MS)
    build_archive_site(made.archive)
    assert (made.site / "source/con-1/index.html").is_file()
    assert (made.site / "tag/con-1/index.html").is_file()
    names = {path.name.split(".")[0].lower() for path in made.site.rglob("*")}
    assert not names & {"con", "nul"}
    made.archive.close()


def test_english_counts_say_one_article_and_revised_once(tmp_path):
    made = make_archive(tmp_path / "news", {"Solo": 0})
    made.add("Solo", "Edited once", "<p>Edited.</p>", START_MS, versions=2)
    build_site(made.archive.store, made.site, replace(site_options(made.archive), language="en"))
    for path in ["index.html", "source/solo/index.html", "archive/2022-01/index.html"]:
        html = (made.site / path).read_text(encoding="utf-8")
        assert "1 article" in html and "1 articles" not in html, path
    page = article_page(made.site, "Edited once").read_text(encoding="utf-8")
    assert "revised once" in page and "times" not in page
    made.archive.close()


def test_the_home_page_links_its_feed_once(small_archive):
    build_archive_site(small_archive.archive)
    home = (small_archive.site / "index.html").read_text(encoding="utf-8")
    assert home.count('rel="alternate"') == 1
    source = (small_archive.site / "source/晨报/index.html").read_text(encoding="utf-8")
    assert source.count('rel="alternate"') == 2  # the site's feed and the source's
