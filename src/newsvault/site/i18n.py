"""The site's own words, in 简体中文 (the default) and English (``site.language = "en"``)."""

LANGUAGES = ("zh", "en")

_WORDS = {
    "zh": {
        "html_lang": "zh-Hans",
        "home": "首页", "sources": "来源", "tags": "标签", "archive": "归档", "search": "搜索",
        "original": "原文", "author": "作者", "source": "来源", "published": "发布",
        "older": "较旧", "newer": "较新", "newest": "最新", "oldest": "最早",
        "older_article": "上一篇", "newer_article": "下一篇",
        "page": "第 {n} 页", "articles": "{n} 篇", "revised": "修订 {n} 次", "unrevised": "未修订",
        "earlier_versions": "修订前的版本", "version_seen": "{date} 起所见",
        "tag": "标签：{name}", "month": "{year}年{month}月",
        "articles_col": "文章", "last_update": "最近更新", "last_error": "最近错误", "none": "无",
        "search_placeholder": "搜索标题和正文", "search_button": "搜索",
        "search_empty": "没有找到结果。", "search_error": "搜索出错：",
        "search_offline": "搜索需要通过网站服务器打开本站（GitHub Pages、任何静态主机或 "
                          "newsvault serve）；直接从磁盘打开时浏览器不允许读取搜索索引。",
        "search_short": "请输入至少两个相连的汉字，或一个词。", "search_count": "找到 {n} 篇。",
        "search_count_one": "找到 {n} 篇。",
        "search_more": "更多结果",
        "searching": "正在搜索…",
        "not_found": "找不到这个页面", "not_found_text": "这个地址没有页面。回到首页，或者搜索。",
        "feed": "订阅 (Atom)", "body_start": "正文", "untitled": "(无标题)",
    },
    "en": {
        "html_lang": "en",
        "home": "Home", "sources": "Sources", "tags": "Tags", "archive": "Archive",
        "search": "Search",
        "original": "Original", "author": "Author", "source": "Source", "published": "Published",
        "older": "Older", "newer": "Newer", "newest": "Newest", "oldest": "Oldest",
        "older_article": "Previous", "newer_article": "Next",
        "page": "Page {n}", "articles": "{n} articles", "articles_one": "{n} article",
        "revised": "revised {n} times", "revised_one": "revised once",
        "unrevised": "never revised",
        "earlier_versions": "Earlier versions", "version_seen": "seen from {date}",
        "tag": "Tag: {name}", "month": "{month_name} {year}",
        "articles_col": "Articles", "last_update": "Last update", "last_error": "Last error",
        "none": "none",
        "search_placeholder": "Search titles and text", "search_button": "Search",
        "search_empty": "No results.", "search_error": "Search failed: ",
        "search_offline": "Search needs the site opened from a web server (GitHub Pages, any "
                          "static host, or newsvault serve); opened from disk, the browser "
                          "may not read the search index.",
        "search_short": "Type at least two adjacent Chinese characters, or a word.",
        "search_count": "{n} articles found.", "search_count_one": "{n} article found.",
        "search_more": "More results",
        "searching": "Searching…",
        "not_found": "Page not found", "not_found_text": "There is no page here. Go to the "
                                                         "home page, or search.",
        "feed": "Feed (Atom)", "body_start": "Article", "untitled": "(untitled)",
    },
}

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def words(language: str) -> dict[str, str]:
    return _WORDS[language]


def counted(words: dict[str, str], key: str, n: int) -> str:
    """``words[key]`` with ``n`` in it: its "_one" form for one, where the language has one."""
    return words.get(f"{key}_one" if n == 1 else key, words[key]).format(n=n)


def month_label(language: str, month: str) -> str:
    """"2022-01" → 2022年1月 / January 2022."""
    year, number = month.split("-")
    return _WORDS[language]["month"].format(year=year, month=int(number),
                                            month_name=_MONTH_NAMES[int(number) - 1])
