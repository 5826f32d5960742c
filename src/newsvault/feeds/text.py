"""Conversions between plain text and HTML that the format adapters share."""

import html
import html.entities
import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# HTML given as text, not text that names a tag ("How to use the <p> element"): it starts
# with a tag, or it closes an element, gives one attributes or breaks a line
_LEADING_TAG = re.compile(r"\s*<(?:!--|([A-Za-z][A-Za-z0-9]*)[\s/>])")
_MARKUP_INSIDE = re.compile(r"</[A-Za-z]|<[A-Za-z][A-Za-z0-9]*\s[^<>]*=|<[Bb][Rr]\s*/?>")

# Only these make a tag in a title: "List<String>" or "a <b" is text.
_HTML_ELEMENTS = frozenset("""
    a abbr acronym address article aside audio b bdi bdo big blockquote br button canvas
    caption center cite code col colgroup data dd del details dfn div dl dt em embed
    figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i iframe img input ins kbd label
    li main mark nav nobr noscript object ol p picture pre q rp rt ruby s samp script section
    select small source span strike strong style sub summary sup svg table tbody td template
    tfoot th thead time tr tt u ul var video wbr""".split())
# ...and these break the line: "one<br>two" reads "one two", not "onetwo"
_BREAKING_ELEMENTS = frozenset("""
    address article aside blockquote br caption dd div dl dt figcaption figure footer h1 h2
    h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul""".split())
_TITLE_TAG = re.compile(r"<!--.*?-->|</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>", re.DOTALL)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|([A-Za-z][A-Za-z0-9]{1,31}));")
_SPACES = re.compile(r"[ \t\n\r\f]{2,}|[\t\n\r\f]")  # not U+00A0 or U+3000: meant
_C1_CONTROL = re.compile("[\x80-\x9f]")
# HTML reads &#128;–&#159; as the Windows-1252 characters of those bytes (&#146; is ’), and
# html.unescape does: its table, kept here for the references XML reads as C1 controls.
_C1_AS_HTML_READS_IT = {code: html.unescape(f"&#{code};") for code in range(0x80, 0xA0)}
# the characters they are read as (’, “, –…)
C1_READINGS = frozenset(_C1_AS_HTML_READS_IT.values()) - set(map(chr, range(0x80, 0xA0)))


def plain_title(text: str) -> str:
    """A title given as text, on one line: runs of white space become one space."""
    if text.isprintable() and "  " not in text:  # 10 times faster than the sub; most titles
        return text.strip()  # (a tab, a newline, any space but " " is not printable)
    return _SPACES.sub(" ", text).strip()


def html_title(markup: str) -> str:
    """The text of a title given as HTML: HTML's tags removed, its well-formed character
    references decoded (an "&" that starts none, as in "AT&T", stays), on one line."""
    if "<" in markup:
        markup = _TITLE_TAG.sub(_without_html_tag, markup)
    if "&" in markup:
        markup = _REFERENCE.sub(_referenced_character, markup)
    return plain_title(markup)


def _without_html_tag(tag: re.Match) -> str:
    name = tag[1]
    if name is None:
        return ""
    name = name.lower()
    if name in _BREAKING_ELEMENTS:
        return " "
    return "" if name in _HTML_ELEMENTS else tag[0]


def _referenced_character(reference: re.Match) -> str:
    name = reference[1]
    if name is None:
        return html.unescape(reference[0])  # numeric, with HTML's fixes (&#150; is a dash)
    return html.entities.html5.get(name + ";", reference[0])


def c1_as_html_reads_it(text: str) -> str:
    """``text`` with its C1 control characters (U+0080–U+009F) read as HTML reads the
    references to them: through Windows-1252, U+0092 as ’ and U+0096 as –."""
    if _C1_CONTROL.search(text) is None:
        return text
    return text.translate(_C1_AS_HTML_READS_IT)


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs; single newlines become <br>."""
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    return "".join(
        f"<p>{html.escape(paragraph, quote=False).replace(chr(10), '<br>')}</p>"
        for paragraph in paragraphs if paragraph.strip()
    )


def looks_like_html(text: str) -> bool:
    """Whether text that says nothing of its type is HTML (a sloppy generator's): it starts
    with an HTML tag, or holds an end tag, a tag with attributes or a ``<br>``."""
    if "<" not in text:
        return False
    leading = _LEADING_TAG.match(text)
    if leading and (leading[1] is None or leading[1].lower() in _HTML_ELEMENTS):
        return True
    return _MARKUP_INSIDE.search(text) is not None


def has_text(value: str | None) -> bool:
    return bool(value) and not value.isspace()


def first_text(*values: str | None) -> str | None:
    """The first value with non-blank text, unchanged."""
    for value in values:
        if has_text(value):
            return value
    return None


def trimmed(value: str | None) -> str | None:
    """``value`` without surrounding whitespace; None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def distinct_summary(summary: str | None, content_html: str) -> str | None:
    return summary if has_text(summary) and summary != content_html else None
