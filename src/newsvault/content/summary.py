"""Does a feed item carry the whole article, or only a summary of it?

Run on every item of a source whose ``full_text`` is "auto", in the archive's writers: so
it reads the HTML with regular expressions, not with an HTML parser, and of a long item
only its head and its tail (a few microseconds an item, long or short).
"""

import html
import re

# Below this many characters of text (spaces not counted) an item is taken for a summary:
# a lead paragraph of an English article, a few sentences of a Chinese one.
SHORT_TEXT = 400

# The page's text must be this much longer than the feed's before it replaces it ("auto"):
# a page whose text is about as long as the item's only added what surrounds the article.
MUCH_LONGER = 1.5

_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CUT_OFF = re.compile(
    r"(?:…|\.\.\.|⋯|\[\s*(?:…|\.\.\.)\s*\]|read more|continue reading|阅读全文|閱讀全文"
    r"|查看全文|阅读更多|閱讀更多)\W*$",
    re.IGNORECASE,
)
# A long article has its first SHORT_TEXT characters of text well within this much HTML:
# looking at it alone keeps the check cheap for the items that are not summaries.
_HEADS = (1024, 4096, 16384)
_SPACES = (" ", "\n", "\t", "\r", "\xa0", "\u3000", "\u2009", "\u200b", "\f", "\v")
_TAIL = 40


def plain_text(content_html: str) -> str:
    """The text of an HTML fragment, runs of white space made one space."""
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", content_html))
    return " ".join(html.unescape(text).split())


def text_size(content_html: str) -> int:
    """Characters of text, white space not counted."""
    text = html.unescape(_TAG.sub("", _INVISIBLE.sub("", content_html)))
    # str.count is many times quicker than splitting a CJK string at white space
    return len(text) - sum(text.count(space) for space in _SPACES)


def without_cut_off_mark(text: str) -> str:
    """Plain ``text`` without the ellipsis or "read more" it ends with, if any: what of a
    summary its article's page can hold."""
    return _CUT_OFF.sub("", text.rstrip())


def looks_like_summary(content_html: str) -> bool:
    """Short, or cut off with an ellipsis (… ... …… [...]) or a "read more"."""
    if _CUT_OFF.search(_last_words(content_html)):
        return True
    for head in _HEADS:
        if len(content_html) > head and text_size(content_html[:head]) >= SHORT_TEXT:
            return False
    return text_size(content_html) < SHORT_TEXT


def _last_words(content_html: str) -> str:
    """The end of the text: closing tags and white space taken off the end of the HTML."""
    end = content_html.rstrip()
    while end.endswith(">"):
        start = end.rfind("<")
        if start < 0:
            break
        closing = end[start:].lower()
        if closing.startswith(("</script", "</style")):  # the whole element: no text in it
            start = max(end.lower().rfind(closing.replace("/", "", 1).rstrip(">").strip()), 0)
        end = end[:start].rstrip()
    return html.unescape(end[-_TAIL:])


def page_is_better(feed_html: str, page_html: str, mode: str) -> bool:
    """Whether the text extracted from the page should be shown instead of the feed's.

    "always": unless the page gave less text than the feed (the extraction then missed
    part of the article). "auto": only when the page's text is much longer, so that an
    item that was complete after all keeps the feed's own HTML.
    """
    feed, page = text_size(feed_html), text_size(page_html)
    if page == 0:
        return False
    if mode == "always":
        return page >= feed
    return page >= feed * MUCH_LONGER
