"""The images of an article's HTML: which URLs it shows, and the same HTML with some of
them pointing at local copies.

Pure: no I/O. Tags are found with a regex rather than parsed and serialized again, so
that everything but the rewritten attribute values stays byte-identical (an imported
post's body is written back as it was).
"""

import re
from collections.abc import Callable, Iterator, Mapping
from html import unescape
from urllib.parse import urljoin, urldefrag

# <img> and <picture>'s <source>; attribute values may hold ">" inside quotes
_TAG = re.compile(r"""<(img|source)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
# lazy-loading scripts keep the real image in these; the sanitizer turns them into src
_SINGLE = frozenset({"src", "data-src", "data-original", "data-lazy-src", "data-actualsrc"})
_LISTS = frozenset({"srcset", "data-srcset"})


def image_urls(html: str, base_url: str | None) -> list[str]:
    """The absolute http(s) URLs of the images ``html`` shows, each once, in order.
    Relative ones are resolved against ``base_url`` (the article's link); tracking
    pixels (width and height of 0 or 1) and data: URIs are left out."""
    found: dict[str, None] = {}
    for attributes in _image_tags(html):
        if _is_pixel(attributes):
            continue
        for name, _, value in attributes:
            for raw in _values(name, value):
                url = absolute_url(raw, base_url)
                if url:
                    found[url] = None
    return list(found)


def rewrite_images(html: str, base_url: str | None, local: Mapping[str, str]) -> str:
    """``html`` with every image URL found in ``local`` (absolute URL → new URL) replaced.
    In a srcset, once one candidate is local the remote ones are dropped (the browser
    might pick one of them, which may be gone). The rest is left byte for byte."""
    if not local:
        return html

    def replace_tag(match: re.Match) -> str:
        tag = match.group(0)
        edits = []
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            name = attribute.group(1).lower()
            value_group = next((g for g in (2, 3, 4) if attribute.group(g) is not None), None)
            if value_group is None:
                continue
            value = attribute.group(value_group)
            new = _rewritten(name, value, base_url, local)
            if new is not None and new != value:
                offset = match.start(2) - match.start(0)
                edits.append((offset + attribute.start(value_group),
                              offset + attribute.end(value_group), new, value_group == 4))
        for start, end, new, unquoted in reversed(edits):
            tag = tag[:start] + (f'"{new}"' if unquoted and _needs_quotes(new) else new) + tag[end:]
        return tag

    return _TAG.sub(replace_tag, html)


def absolute_url(raw: str, base_url: str | None) -> str | None:
    """``raw`` (an attribute value, entities and all) as an absolute http(s) URL, or None."""
    text = unescape(raw).strip()
    if not text or text.lower().startswith("data:"):
        return None
    try:
        url = urldefrag(urljoin(base_url or "", text))[0]
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url if url[:8].lower().startswith(("http://", "https://")) else None


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(URL, descriptor) pairs of a srcset, as the HTML standard splits them: a URL runs to
    whitespace (commas at its end separate candidates), a descriptor to the next comma."""
    candidates, position, length = [], 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        start = position
        while position < length and value[position] != ",":
            position += 1
        if url:
            candidates.append((url, value[start:position].strip()))
    return candidates


def _image_tags(html: str) -> Iterator[list[tuple[str, str, str]]]:
    """Per <img>/<source>: its (lower-cased name, raw name, raw value) attributes."""
    for match in _TAG.finditer(html):
        attributes = []
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            value = next((attribute.group(g) for g in (2, 3, 4) if attribute.group(g) is not None),
                         None)
            if value is not None:
                attributes.append((attribute.group(1).lower(), attribute.group(1), value))
        yield attributes


def _values(name: str, value: str) -> list[str]:
    if name in _SINGLE:
        return [value]
    if name in _LISTS:
        return [url for url, _ in srcset_candidates(unescape(value))]
    return []


def _is_pixel(attributes: list[tuple[str, str, str]]) -> bool:
    sizes = {name: value.strip().removesuffix("px") for name, _, value in attributes
             if name in ("width", "height")}
    return len(sizes) == 2 and all(size in ("0", "1") for size in sizes.values())


def _rewritten(name: str, value: str, base_url: str | None,
               local: Mapping[str, str]) -> str | None:
    if name in _SINGLE:
        url = absolute_url(value, base_url)
        return local.get(url) if url else None
    if name in _LISTS:
        return _rewritten_srcset(unescape(value), base_url, local.get)
    return None


def _rewritten_srcset(value: str, base_url: str | None,
                      lookup: Callable[[str], str | None]) -> str | None:
    candidates = srcset_candidates(value)
    kept = []
    for url, descriptor in candidates:
        target = lookup(absolute_url(url, base_url) or "")
        if target:
            kept.append(f"{target} {descriptor}".strip())
    return ", ".join(kept) if kept else None


def _needs_quotes(value: str) -> bool:
    return any(character.isspace() or character in "\"'=<>`" for character in value)
