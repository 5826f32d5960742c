"""The images of an article's HTML: which URLs it shows, and the same HTML with some of
them pointing at local copies.

Pure: no I/O. Tags are found with a regex rather than parsed and serialized again, so
that everything but the rewritten attribute values stays byte-identical (an imported
post's body is written back as it was).
"""

import re
from collections.abc import Callable, Iterator, Mapping
from html import escape, unescape
from urllib.parse import urljoin, urldefrag

from newsvault.content.sanitize import LAZY_IMAGE_ATTRIBUTES

# <img> and <picture>'s <source>, whose srcset is an image (an audio's or a video's <source>
# has a src instead: a file the archive keeps no copy of); attribute values may hold ">"
# inside quotes
_TAG = re.compile(r"""<(img|source)\b((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
# lazy-loading scripts keep the real image in these; the sanitizer turns them into src
_SINGLE = frozenset({"src", "data-src", "data-original", "data-lazy-src", "data-actualsrc"})
_LISTS = frozenset({"srcset", "data-srcset", "data-lazy-srcset"})
_LAZY = frozenset(LAZY_IMAGE_ATTRIBUTES) | {"data-actualsrc"}


def with_picture(urls: list[str], picture: str | None, base_url: str | None) -> list[str]:
    """An article's image URLs: those of its HTML, or, where it shows none, the picture
    its item gave beside the content (``picture_figure``)."""
    if urls or not picture:
        return urls
    return image_urls(picture_figure(picture), base_url)


def picture_figure(url: str) -> str:
    """The HTML that shows an item's picture before its content."""
    return f'<figure><img src="{escape(url)}" alt=""></figure>'


def image_urls(html: str, base_url: str | None) -> list[str]:
    """The absolute http(s) URLs of the images ``html`` shows, each once, in order: every
    src (and lazy-loading attribute) and the largest candidate of every srcset. Relative
    ones are resolved against ``base_url`` (the article's link); tracking pixels (width
    and height of 0 or 1) and data: URIs are left out."""
    found: dict[str, None] = {}
    for tag, attributes in _image_tags(html):
        if _is_pixel(attributes):
            continue
        for name, value in _shown(tag, attributes):
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
        is_source = match.group(1).lower() == "source"
        edits = []
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            name = attribute.group(1).lower()
            if name not in _LISTS and (name not in _SINGLE or is_source):
                continue
            value_group = 2 if attribute.group(2) is not None else \
                3 if attribute.group(3) is not None else 4
            value = attribute.group(value_group)
            if value is None:
                continue
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
    text = (unescape(raw) if "&" in raw else raw).strip()
    if text[:8].lower().startswith(("http://", "https://")) and "#" not in text:
        return text  # already absolute: most are, and urljoin is the scan's main cost
    if not text or text[:5].lower() == "data:" or text.startswith("{{"):
        return None  # "{{ site.baseurl }}/assets/media/…": a stored image, exported
    try:
        url = urldefrag(urljoin(base_url or "", text))[0]
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url if url[:8].lower().startswith(("http://", "https://")) else None


# a URL runs to whitespace, and commas at its end separate it from the next candidate;
# a descriptor runs to the next comma (the HTML standard's srcset parsing, simplified)
_CANDIDATE = re.compile(r"[\s,]*(\S+?)(?:,+(?=\s|$)|\s+([^,]*),?|$)")


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(URL, descriptor) pairs of a srcset."""
    return [(match.group(1), (match.group(2) or "").strip())
            for match in _CANDIDATE.finditer(value) if match.group(1)]


def _image_tags(html: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Per <img>/<source>: its name and its (lower-cased name, raw value) attributes that
    have a value."""
    for match in _TAG.finditer(html):
        yield match.group(1), [(name.lower(), double or single or bare)
                               for name, double, single, bare in _ATTRIBUTE.findall(match.group(2))
                               if double or single or bare]


def _shown(tag: str, attributes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The attributes whose image shows: a lazy image's src is a placeholder, which the
    sanitizer replaces with the real address; a <source>'s src is an audio or a video."""
    if tag.lower() == "source":
        return [(name, value) for name, value in attributes if name in _LISTS]
    if not any(name in _LAZY for name, _ in attributes):
        return attributes
    return [(name, value) for name, value in attributes if name in _LAZY]


def _values(name: str, value: str) -> list[str]:
    if name in _SINGLE:
        return [value]
    if name in _LISTS:
        candidates = srcset_candidates(unescape(value) if "&" in value else value)
        return [max(candidates, key=_candidate_size)[0]] if candidates else []
    return []


def _candidate_size(candidate: tuple[str, str]) -> float:
    """A srcset candidate's width or density ("800w", "2x"; none is "1x"): only the
    largest candidate is kept, the one a wide screen would show."""
    descriptor = candidate[1].split()[-1] if candidate[1] else "1x"
    try:
        return float(descriptor[:-1])
    except ValueError:
        return 0.0


def _is_pixel(attributes: list[tuple[str, str]]) -> bool:
    sizes = {name: value.strip().removesuffix("px") for name, value in attributes
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
