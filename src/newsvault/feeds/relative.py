"""Relative URLs in an item's HTML resolved against the ``xml:base`` in effect.

A feed that sets ``xml:base`` says what its relative links are relative to, and nothing
later knows it: the sanitizer resolves what is left relative against the article's address
(right for feeds without a base, where such links were written for the article's page).
So where a base is in effect, the URLs of links and images are made absolute here, as
feed readers do, and every other byte of the HTML is kept.
"""

import re
from html import escape, unescape
from urllib.parse import urljoin

from lxml import etree

from newsvault.feeds.xml import XML_BASE, XmlDocument, resolve_base

# the attributes whose value is a URL (srcset: a list of them)
_URL_ATTRIBUTE = re.compile(
    r"""(\s(?:href|src|poster|data-src|data-original|data-lazy-src)\s*=\s*)"""
    r"""("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_SRCSET_ATTRIBUTE = re.compile(
    r"""(\s(?:srcset|data-srcset|data-lazy-srcset)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_START_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_SRCSET_URL = re.compile(r"([\s,]*)(\S+)")
_WEB_BASE = re.compile(r"https?://[^/?#]", re.I)


def base_in_effect(element: etree._Element, base: str) -> str | None:
    """``base`` (the element's resolved base) when an ``xml:base`` on the element or one
    of its ancestors set it and it is a web address; else None."""
    if element.get(XML_BASE) is None and not any(
            ancestor.get(XML_BASE) is not None for ancestor in element.iterancestors()):
        return None
    return base if _WEB_BASE.match(base) else None


def based_markup(doc: XmlDocument, element: etree._Element | None, base: str) -> str | None:
    """The element's markup, its relative links resolved where xml:base says (``base``:
    the resolved base of the element's parent)."""
    if element is None:
        return None
    return resolve_relative(doc.markup(element), base_in_effect(element, resolve_base(element, base)))


def resolve_relative(html: str | None, base: str | None) -> str | None:
    """``html`` with the relative URLs of its tags' link and image attributes resolved
    against ``base`` (nothing changes without one)."""
    if not html or not base or "=" not in html:
        return html
    return _START_TAG.sub(lambda tag: _resolved_tag(tag.group(0), base), html)


def _resolved_tag(tag: str, base: str) -> str:
    tag = _URL_ATTRIBUTE.sub(lambda match: _attribute(match, base, _absolute), tag)
    return _SRCSET_ATTRIBUTE.sub(lambda match: _attribute(match, base, _absolute_srcset), tag)


def _attribute(match: re.Match, base: str, resolve) -> str:
    name, quoted = match.group(1), match.group(2)
    value = unescape(quoted[1:-1] if quoted[:1] in "\"'" and len(quoted) > 1 else quoted)
    resolved = resolve(value, base)
    if resolved == value:
        return match.group(0)
    return f'{name}"{escape(resolved)}"'


def _absolute(value: str, base: str) -> str:
    stripped = value.strip()
    if not stripped or _has_scheme(stripped) or stripped.startswith("#"):
        return value
    try:
        return urljoin(base, stripped)
    except ValueError:  # e.g. "http://[" in the base or the value: left for the sanitizer
        return value


def _absolute_srcset(srcset: str, base: str) -> str:
    """Each candidate's URL resolved; as browsers read a srcset, a URL is a run of
    non-spaces (commas inside it too) and its descriptors follow, up to a comma."""
    parts, position = [], 0
    while match := _SRCSET_URL.match(srcset, position):
        url, position = match.group(2), match.end()
        ending = ""
        if url.endswith(","):
            stripped = url.rstrip(",")
            url, ending = stripped, url[len(stripped):]
        else:
            comma = srcset.find(",", position)
            end = comma + 1 if comma >= 0 else len(srcset)
            ending, position = srcset[position:end], end
        parts.append(match.group(1) + _absolute(url, base) + ending)
    return "".join(parts) + srcset[position:]


def _has_scheme(url: str) -> bool:
    head, colon, _ = url.partition(":")
    return bool(colon) and head[:1].isalpha() and "/" not in head and "?" not in head \
        and "#" not in head
