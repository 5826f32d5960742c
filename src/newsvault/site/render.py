"""Pages into bytes: the Jinja2 environment (package templates, overridden by the archive's
``theme/`` folder), and the context each template gets.

Article pages are rendered from a plain dict (``article_job``) plus the content, so that
worker processes can render them with nothing but the job and a store connection.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from html import unescape
from importlib import resources
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader,
                    StrictUndefined, select_autoescape)
from markupsafe import Markup

from newsvault.cache import cache_folder
from newsvault.clock import shown
from newsvault.links import web_link
from newsvault.site import i18n, paths
from newsvault.site.pages import (ArticleView, FeedView, IndexView, ListView, Page,
                                  SitemapIndexView, SitemapView)

PACKAGE_TEMPLATES = Path(str(resources.files("newsvault.site") / "templates"))
PACKAGE_STATIC = Path(str(resources.files("newsvault.site") / "static"))
SUMMARY_CHARS = 200

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """What the whole site shares, from newsvault.toml."""

    title: str
    language: str
    base_url: str  # "" or ending with "/"
    timezone: str
    theme_dir: str | None
    assets: str = "local"  # images: "local" (the archive's copies) | "remote" (as published)


def environment(theme_dir: str | None) -> Environment:
    loaders = [FileSystemLoader(theme_dir)] if theme_dir else []
    env = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(PACKAGE_TEMPLATES))]),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(["html", "xml"]), trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return env


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between builds (compiling them costs a small build 0.1 s);
    Jinja2 checks each against its source. None where the cache folder cannot be made."""
    folder = cache_folder("jinja")
    return FileSystemBytecodeCache(str(folder)) if folder else None


class Renderer:
    def __init__(self, options: SiteOptions):
        self.options = options
        self.env = environment(options.theme_dir)
        self.words = i18n.words(options.language)

    def common(self, path: str, root: str | None = None) -> dict:
        return {"site": self.options, "t": self.words, "root": paths.root_of(path) if root is None
                else root, "canonical": self.absolute(path) if self.options.base_url else ""}

    def absolute(self, path: str) -> str:
        """The page's public URL (needs base_url): its folder, as the old site had it."""
        pretty = path[:-len(paths.INDEX)] if path.endswith(paths.INDEX) else path
        return self.options.base_url + paths.url_path(pretty)

    def render_article(self, job: dict, content: str, earlier: list[dict] = ()) -> str:
        """``content``: the article's clean HTML (content/), balanced and safe to show;
        ``earlier``: the versions it showed before, newest first, each with its clean HTML
        as ``body``."""
        versions = [{**version, "body": Markup(version["body"]),
                     "date_iso": _iso(version["seen_ms"])} for version in earlier]
        context = {**self.common(job["path"]), **job, "body": Markup(content),
                   "versions": versions}
        return self.env.get_template("article.html").render(context)

    def render(self, page: Page, contents: dict[int, str] | None = None) -> str:
        """Any page but an article's; a feed needs its articles' ``contents``."""
        data = page.data
        if isinstance(data, ListView):
            context = self._list(page.path, data)
        elif isinstance(data, IndexView):
            context = {"view": data, "rows": data.rows}
        elif isinstance(data, FeedView):
            context = self._feed(page.path, data, contents or {})
        elif isinstance(data, SitemapView):
            root = paths.root_of(page.path)
            context = {"urls": [(self._public(path, root), _day(ms)) for path, ms in data.pages]}
        elif isinstance(data, SitemapIndexView):
            context = {"sitemaps": [self._public(path) for path in data.sitemaps]}
        else:
            context = {}
        root = self._base_path() if page.path == "404.html" else None
        return self.env.get_template(page.template).render(
            {**self.common(page.path, root), **context})

    def _base_path(self) -> str:
        """404.html is served for missing pages at any depth: its links start from the
        site's root path ("/" or base_url's path) instead of being relative."""
        base = self.options.base_url
        if not base:
            return "/"
        path = "/" + base.split("://", 1)[-1].partition("/")[2]
        return path if path.endswith("/") else path + "/"

    def _list(self, path: str, view: ListView) -> dict:
        root = paths.root_of(path)
        words = self.words

        def link(target: str | None) -> str:
            return root + target if target else ""

        return {
            "view": view, "heading": self._heading(view),
            "count_text": i18n.counted(words, "articles", view.count) if view.number is None
            else "",
            "page_text": words["page"].format(n=view.number) if view.number else "",
            "groups": self._by_month(view, root), "show_source": view.kind != "source",
            "newer": link(view.newer), "older": link(view.older), "newest": link(view.newest),
            "oldest": link(view.oldest), "feed": link(view.feed),
        }

    def _heading(self, view: ListView) -> str:
        if view.kind == "home":
            return self.options.title
        if view.kind == "tag":
            return self.words["tag"].format(name=view.heading)
        if view.kind == "month":
            return i18n.month_label(self.options.language, view.heading)
        return view.heading

    def _by_month(self, view: ListView, root: str) -> list[tuple[str, list[dict]]]:
        """The list's articles under the heading of their month, newest first."""
        groups: list[tuple[str, list[dict]]] = []
        for article in view.articles:
            if not groups or groups[-1][0] != article.month:
                groups.append((article.month, []))
            groups[-1][1].append({"title": article.title, "href": root + article.path,
                                  "date": article.date_text[5:], "source": article.source})
        return [(i18n.month_label(self.options.language, month), items)
                for month, items in groups]

    def _feed(self, path: str, view: FeedView, contents: dict[int, str]) -> dict:
        root = paths.root_of(path)
        entries = [{
            "title": _xml_text(article.title),
            "id": self._entry_id(article.path),
            "link": self._public(article.path, root),
            "original": web_link(article.url),
            "published": _iso(article.date_ms), "updated": _iso(article.updated_ms),
            "author": _xml_text(article.author or article.source),
            "tags": [_xml_text(tag) for tag in article.tags],
            "summary": summary(contents.get(article.id, "")),
        } for article in view.articles]
        title = self.options.title + (f" · {view.title}" if view.title else "")
        return {
            "feed_title": _xml_text(title), "entries": entries,
            "feed_id": self._entry_id(path),
            "self_url": self._public(path, root), "alternate": self._public(
                view.folder + paths.INDEX, root),
            "updated": _iso(max((a.updated_ms for a in view.articles), default=0)),
            "language": self.words["html_lang"],
        }

    def _public(self, path: str, root: str = "") -> str:
        """Absolute with base_url; without it, relative to the page being written."""
        return self.absolute(path) if self.options.base_url else root + paths.url_path(path)

    def _entry_id(self, path: str) -> str:
        if self.options.base_url:
            return self.absolute(path)
        return "urn:newsvault:" + paths.url_path(path.removesuffix(paths.INDEX)).replace("/", ":")


def article_job(view: ArticleView, words: dict[str, str]) -> dict:
    """Everything an article page shows but its content, as plain data for a worker."""
    article = view.article
    root = paths.root_of(article.path)

    def neighbour(other):
        return {"title": other.title, "href": root + other.path} if other else None

    revised = article.revisions - 1
    return {
        "id": article.id, "path": article.path, "title": article.title,
        "content_url": article.url,  # what relative URLs in the content are relative to
        "author": article.author, "source": article.source,
        "source_href": root + view.source_folder + paths.INDEX,
        "month_href": root + view.month_folder + paths.INDEX,
        "date_text": article.date_text, "date_iso": _iso(article.date_ms),
        "original": web_link(article.url),
        "tags": [(tag, root + folder + paths.INDEX) for tag, folder in view.tag_folders],
        "revised": i18n.counted(words, "revised", revised) if revised else words["unrevised"],
        "revisions": article.revisions,
        "older": neighbour(view.older), "newer": neighbour(view.newer),
    }


def summary(html: str) -> str:
    """The first words of an article as plain text, for feeds."""
    text = unescape(_TAGS.sub(" ", html[:SUMMARY_CHARS * 40]))
    text = " ".join(_xml_text(text).split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(shown(ms) / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(ms: int | None) -> str:
    return _iso(ms)[:10] if ms is not None else ""
