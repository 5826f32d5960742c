"""Keeps an article's HTML inside its box on the page: elements it leaves open are closed
at its end, and end tags with nothing to close are dropped, so that an unclosed <table>,
<a> or <h1> cannot swallow or restyle the rest of the page.

This only balances tags; it removes nothing else and is no sanitizer (that is a stage of
its own). It reads tags with regular expressions, not an HTML parser (a ">" inside a quoted
attribute value ends a tag early: rare, and harmless here). Most articles are balanced:
counting their tags, in C, is all they cost.
"""

import re
from collections import Counter

_TAG_START = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*")
_TAG = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
_COMMENT_END = re.compile("-->")
_RAW_TEXT = frozenset(["script", "style", "textarea", "title", "xmp"])
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "image"])
# closed by the browser without an end tag (HTML's optional end tags): never "left open"
_OPTIONAL_END = frozenset(["p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
                           "option", "optgroup", "colgroup", "caption", "rb", "rt", "rp"])
_IGNORED = _VOID | _OPTIONAL_END


def balanced(html: str) -> str:
    if "<" not in html or _looks_balanced(html):
        return html
    return _balance(html)


def _looks_balanced(html: str) -> bool:
    """Every element that needs an end tag has as many as start tags (names compared as
    written: a mixed-case one takes the slow path, which decides right)."""
    counts = Counter(_TAG_START.findall(html))  # "<div", "</div": no groups is faster
    for token, count in counts.items():
        closing = token[1] == "/"
        name = token[2:] if closing else token[1:]
        if name in _IGNORED or name in _RAW_TEXT:
            continue
        if counts.get(f"<{name}" if closing else f"</{name}", 0) != count:
            return False
    return True


def _balance(html: str) -> str:
    open_tags: list[str] = []
    dropped: list[tuple[int, int]] = []  # spans of end tags with nothing to close
    position = 0
    while match := _TAG.search(html, position):
        position = match.end()
        closing, name, self_closed = match.groups()
        if name is None:  # a comment: skip to its end
            end = _COMMENT_END.search(html, position)
            position = end.end() if end else len(html)
            continue
        name = name.lower()
        if closing:
            if name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
            else:
                dropped.append(match.span())
        elif name in _RAW_TEXT and not self_closed:
            end = re.compile(f"</{name}\\s*>", re.I).search(html, position)
            position = end.end() if end else len(html)
        elif name not in _VOID and not self_closed:
            open_tags.append(name)
    kept, start = [], 0
    for begin, end in dropped:
        kept.append(html[start:begin])
        start = end
    kept.append(html[start:])
    closers = "".join(f"</{name}>" for name in reversed(open_tags) if name not in _OPTIONAL_END
                      or name in ("tr", "td", "th"))
    return "".join(kept) + closers
