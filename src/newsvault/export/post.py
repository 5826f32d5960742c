"""One Jekyll post as text, in the old Node.js system's format, and back.

The seed layout (``/work/shared/reference/seed-post-zaobao-2022-01-27.md``)::

    ---
    layout: post
    title: "<title>"
    date: 2022-01-27T09:36:52.404Z
    author: <author>
    from: <url>
    tags: [ <tag>, ... ]
    <extra keys, e.g. comments: True>
    categories: [ <category>, ... ]
    ---
    <!--<published epoch ms>-->
    [<title>](<url>)
    ------

    <div>
    <the article HTML, every line stripped, joined into one line>
    </div>

Jekyll runs Liquid over a post's body: a ``{`` that starts ``{{`` or ``{%`` in the article
HTML, the title line or a verbatim body is written ``&#123;`` (the same HTML; in the link
line's URL ``%7B``), so an article's own ``{{ x }}`` or ``{% endif %}`` shows as written
and cannot stop ``jekyll build``. Only the image links the export itself writes
(``{{ site.baseurl }}/assets/media/…``) stay Liquid.

Posts imported from the old system whose body is not exactly that (most of them: raw
multi-line HTML) are kept ``verbatim``: their body is written back untouched, so
``render_post(parse_post(text)) == text`` for every post the old system wrote (a
``<!--NaN-->`` comment line excepted: it reads as ``comment_ms=None`` and the caller
supplies the time).

Pure: no I/O. Front-matter scalars are written and read by ``export.frontmatter``.
"""

import re
from dataclasses import dataclass, field, replace

from newsvault.content.assets import JEKYLL_IMAGE_LINK
from newsvault.errors import ImportError_
from newsvault.export import frontmatter as fm

_POST_NAME = re.compile(r"^\d{2,4}-\d{1,2}-\d{1,2}-|\.[^.]*$")  # what is not the slug
_KNOWN_KEYS = frozenset(("layout", "title", "date", "author", "from", "tags", "categories"))
_DIV_END = "\n</div>\n"
_PRE = re.compile(r"<pre\b.*?</pre\s*>", re.IGNORECASE | re.DOTALL)
_PRE_START = re.compile(r"<pre\b", re.IGNORECASE)
_PRE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # what splitlines splits at
# scripts written without spaces between words, and their punctuation: a line break
# between two such characters is no space (the old system joined every line so)
_SPACELESS = ("\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
              "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff")
_SPACELESS_CHARACTER = re.compile(f"[{_SPACELESS}]")
# what Liquid reads as a tag's start, or a stored image's link the export made (kept)
_LIQUID_START = re.compile(r"\{(?=[{%])")
_LIQUID = re.compile(f"({JEKYLL_IMAGE_LINK.pattern})|{_LIQUID_START.pattern}")
# Jekyll puts the categories in a post's URL and parses it with Addressable: the text
# before a first ":" (none of "/?#" before it) is a scheme, and one that can be no scheme
# ("24:7 news", "新闻:国际") stops `jekyll build` for the whole site
_NO_SCHEME_BEFORE_COLON = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)[^:/?#]*:")
# and a scheme with "//" after it starts a host, which a name's spaces or a port that is
# not a number ("http://x.com: front page", "TV://Live:Now") makes one Addressable refuses
_SCHEME_AND_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# the lines the old system may write before the article (its <!--ms--> comment, the
# [title](url) link, ------) and blank lines; then what starts an HTML tag (not an
# autolink: <https://…> has a ":" after its name)
_OLD_HEADER = re.compile(
    r"(?:[ \t]*(?:<!--.*?-->|\[.*\]\(.*\)|-{3,})?[ \t]*(?:\r\n|\n|\r))*[ \t]*")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])")


@dataclass(slots=True)
class Post:
    title: str
    date_text: str  # the value written after "date: "
    author: str
    url: str  # "from:"
    tags: list[str]
    categories: list[str]
    html: str  # article HTML (seed layout) or the whole body (verbatim layout)
    comment_ms: int | None = None  # the <!--N--> line; None only where nothing renders it
    extra: list[tuple[str, str]] = field(default_factory=list)  # other keys, raw value text
    verbatim: bool = False  # True: the body is written exactly as ``html``
    date_quoted: bool = False  # the date was written in quotes: a string to Jekyll


def url_safe_category(name: str) -> str:
    """``name`` as a category Jekyll can build and link: its ":" written "：" where Jekyll
    would read what comes before one as a URL's scheme (and a host after it) and refuse
    it; its "?" written "？", which Jekyll leaves in the post's URL, where it starts a query
    (the page is written, but its link does not reach it)."""
    if _NO_SCHEME_BEFORE_COLON.match(name) or _SCHEME_AND_HOST.match(name):
        name = name.replace(":", "\uff1a")
    return name.replace("?", "\uff1f")


def render_post(post: Post) -> str:
    """The post file's text. Raises ``ValueError`` for a seed-layout post without ``comment_ms``."""
    title = fm.clean_title(post.title)
    url = fm.clean(post.url)
    lines = [
        "---\nlayout: post\ntitle: ", fm.double_quoted(title),
        "\ndate: ", fm.scalar(fm.clean(post.date_text), timestamp=True),
        "\nauthor:", _author_value(post),
        "\nfrom: ", fm.scalar(url),
        "\ntags: ", fm.flow_list(post.tags), "\n",
    ]
    for name, raw in post.extra:
        if name in _KNOWN_KEYS or not fm.is_plain_key(name):  # would load over a real value,
            continue  # or could not be read back as the same key
        value = fm.raw_value(raw)
        lines += [name, ": " if value and not fm.is_structured(value) else ":", value, "\n"]
    lines += ["categories: ", fm.flow_list(post.categories), "\n---\n"]
    if post.verbatim:
        lines.append(liquid_safe(post.html))
    else:
        if post.comment_ms is None:
            raise ValueError("render_post: a seed-layout post needs comment_ms (its <!--ms-->)")
        lines += [
            f"<!--{int(post.comment_ms)}-->\n", _link_block(title, url),
            liquid_safe(join_html(post.html)), _DIV_END,
        ]
    return "".join(lines)


def _author_value(post: Post) -> str:
    """What follows ``author:``: the name, or the mapping or list the post was imported with."""
    for name, raw in post.extra:
        if name == "author" and fm.raw_value(raw) == raw:  # as read: " [a, b]", or lines
            return raw
    return " " + fm.scalar(fm.clean(post.author))


def liquid_safe(html: str) -> str:
    """``html`` with every ``{`` that starts ``{{`` or ``{%`` written ``&#123;``: the same HTML,
    and nothing Jekyll's Liquid reads as a tag (which would drop the text or stop the
    build). The export's own image links, ``{{ site.baseurl }}/assets/media/…``, are kept.
    Idempotent."""
    if "{{" not in html and "{%" not in html:
        return html
    return _LIQUID.sub(_liquid_safe_match, html)


def liquid_safe_bytes(html: bytes) -> bytes:
    """``liquid_safe`` of UTF-8 ``html``, without decoding it when there is nothing to do."""
    if b"{{" not in html and b"{%" not in html:
        return html
    return liquid_safe(html.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def _liquid_safe_match(match: re.Match) -> str:
    return match.group(1) or "&#123;"


def join_html(html: str) -> str:
    """The article HTML on one line, as the old system wrote it: lines stripped and joined,
    with nothing between them where a tag meets a tag or Chinese (Japanese) text is on
    either side, as it did; elsewhere with a space, so that hard-wrapped words stay apart.
    A <pre> block keeps its line breaks, as character references."""
    if _PRE_START.search(html):
        html = _PRE.sub(_pre_on_one_line, html)
    lines = [line for line in map(str.strip, html.splitlines()) if line]
    if len(lines) < 2:
        return lines[0] if lines else ""
    joined = [lines[0]]
    for before, line in zip(lines, lines[1:]):
        last, first = before[-1], line[0]
        if not ((last == ">" and first == "<") or _spaceless(last) or _spaceless(first)):
            joined.append(" ")
        joined.append(line)
    return "".join(joined)


def _spaceless(character: str) -> bool:
    # the comparison first: most line ends are ASCII, and a pattern costs ten times more
    return character >= "\u2e80" and _SPACELESS_CHARACTER.match(character) is not None


def _pre_on_one_line(block: re.Match) -> str:
    return _PRE_BREAK.sub("&#10;", block.group())


def _link_block(title: str, url: str) -> str:
    # Markdown reads HTML inside link text: a title's "<" must show, not open a tag;
    # and Liquid must see no tag in the line (a URL's "{" is written %7B, the same URL)
    if "{" in title:
        title = _LIQUID_START.sub("&#123;", title)
    if "{" in url:
        url = _LIQUID_START.sub("%7B", url)
    return f"[{_link_text(title)}]({url})\n------\n\n<div>\n"


def _link_text(title: str) -> str:
    """The title as the link's text: Markdown reads HTML there (a "<" must show, not open
    a tag), and a "](" or an unbalanced bracket would end the link early, so that the rest
    of the title made a link or an image of its own (``x](javascript:…)``), and a "]:"
    makes the line a link definition, which shows nothing (``[Update]: …``). Then every
    bracket and backslash is escaped, and the ":" after a "]" written ``&#58;``; balanced
    brackets with no "](" (``[视频] 新闻``) are kept as the old system wrote them."""
    title = title.replace("<", "&lt;")
    if "](" in title or "]:" in title or title.endswith("\\") or not _balanced(title):
        title = title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        title = title.replace("\\]:", "\\]&#58;")  # escaped or not, "]:" is a definition
    return title


def _balanced(text: str) -> bool:
    if "[" not in text and "]" not in text:
        return True
    depth = 0
    for character in text:
        if character == "[":
            depth += 1
        elif character == "]":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def parse_post(text: str, name: str = "") -> Post:
    """A post file's text as a ``Post``, leniently (broken YAML from the old system is read).
    ``name``: the file's name, which titles a post whose front matter has no title.

    Raises ``ImportError_`` with a one-line reason when the text is not a post at all.
    """
    front, body_at = parse_front_matter(text, name)
    return with_body(front, text[body_at:])


def parse_front_matter(text: str, name: str = "") -> tuple[Post, int]:
    """The post's front-matter values (its ``html`` empty) and where its body starts in
    ``text``; ``text`` may be cut anywhere after the front matter. Raises as ``parse_post``."""
    try:
        entries, body = fm.read_front_matter(text)
    except fm.NotFrontMatter as error:
        raise ImportError_(f"import: {error}") from None
    values: dict[str, fm.Entry] = {}
    extra: list[tuple[str, str]] = []
    for entry in entries:
        if entry.key in _KNOWN_KEYS:
            values[entry.key] = entry  # a repeated key: the last one, as YAML reads it
        else:
            structured = fm.structured(entry)
            extra.append((entry.key, structured[0] if structured else fm.clean_title(entry.text())))
    title = slug_title(name) if _is_null(values.get("title")) else \
        fm.clean_title(_scalar(values, "title"))
    url = fm.clean(_scalar(values, "from"))
    author, author_as_written = _author(values.get("author"))
    if author_as_written is not None:
        extra.append(("author", author_as_written))
    post = Post(
        title=title,
        date_text=fm.clean(_scalar(values, "date")),
        date_quoted="date" in values and values["date"].raw.strip()[:1] in ("'", '"'),
        author=author,
        url=url,
        tags=_list(values, "tags"),
        categories=_list(values, "categories"),
        html="",
        extra=extra,
        verbatim=True,
    )
    return post, len(text) - len(body)


def _is_null(entry: fm.Entry | None) -> bool:
    """No value at all, as Jekyll reads it: no key, or ``key:`` with nothing, ``~`` or
    ``null`` after it (YAML's null; a quoted "" is a string, if an empty one)."""
    if entry is None:
        return True
    if entry.literal or entry.items is not None or entry.lines and fm.structured(entry):
        return False
    value = fm.without_comment(entry.raw).strip()
    return not value or value in fm.NULLS


def slug_title(name: str) -> str:
    """The title Jekyll gives a post whose front matter has none: its file name past the
    date, each word between hyphens capitalised (``2022-01-27-hello-world.md``: Hello World)."""
    slug = _POST_NAME.sub("", name)
    return " ".join(word.capitalize() for word in slug.split("-"))


def with_body(front: Post, body: str) -> Post:
    """The post whose front matter is ``front`` (from ``parse_front_matter``) and body ``body``."""
    post = replace(front, html=body, verbatim=True, comment_ms=None)
    _read_seed_body(post, body)
    return post


def is_markdown_body(body: str) -> bool:
    """Whether a post's body is Markdown rather than the old system's HTML: past the old
    system's header lines (``<!--ms-->``, ``[title](url)``, ``------``) and blank lines, it
    does not start with an HTML tag (every post of the old system starts with one:
    ``<div>``, ``<article>``, ``<section>``). A body with nothing past them is not."""
    start = _OLD_HEADER.match(body).end()
    return start < len(body) and not _HTML_TAG.match(body, start)


def _author(entry: fm.Entry | None) -> tuple[str, str | None]:
    """The author's name, and the value as written when it is more than a name (a mapping
    such as ``{name, email}``, as jekyll-seo-tag reads, or a list of names): the export
    writes that back as it was, not flattened into one string."""
    if entry is None:
        return "", None
    found = fm.structured(entry, lists=True) or fm.flow_collection(entry)
    if found is None:
        return fm.clean(fm.scalar_value(entry)), None
    text, value = found
    return fm.clean_title(_name_in(value)), text


def _name_in(value: object) -> str:
    """A mapping's ``name`` (else its first text), a list's first name, a scalar as text."""
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return name
        value = list(value.values())
    if isinstance(value, list):
        return next((found for item in value if (found := _name_in(item))), "")
    return "" if value is None else str(value)


def _scalar(values: dict[str, fm.Entry], name: str) -> str:
    entry = values.get(name)
    return "" if entry is None else fm.scalar_value(entry)


def _list(values: dict[str, fm.Entry], name: str) -> list[str]:
    """Tags or categories; as Jekyll reads them, a string is split at white space
    (``tags: jekyll ruby`` is two tags)."""
    entry = values.get(name)
    if entry is None:
        return []
    items = [fm.clean(item) for item in fm.list_value(entry)]
    if fm.is_lone_scalar(entry):
        return [word for item in items for word in item.split()]
    return items


def _read_seed_body(post: Post, body: str) -> None:
    """Take the comment time, and the article HTML when the body is exactly the seed layout.

    The layout counts only when rendering would give the body back unchanged (one content
    line, the front matter's title and link); otherwise the body stays verbatim.
    """
    if not body.startswith("<!--"):
        return
    close = body.find("-->\n", 4)
    if close < 0:
        return
    stamp = body[4:close]
    if stamp == "NaN":
        comment_ms = None
    elif stamp.isascii() and stamp.isdigit():
        comment_ms = int(stamp)
    else:
        return
    post.comment_ms = comment_ms
    if comment_ms is not None and str(comment_ms) != stamp:
        return
    start = close + 4
    link = _link_block(post.title, post.url)
    content_start = start + len(link)
    content_end = len(body) - len(_DIV_END)
    if content_start > content_end or not body.startswith(link, start) \
            or not body.endswith(_DIV_END):
        return
    content = body[content_start:content_end]
    if join_html(content) == content and liquid_safe(content) == content:
        post.html = content
        post.verbatim = False
