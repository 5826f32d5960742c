"""An article's HTML as the plain text search indexes and quotes from."""

from lxml import etree

_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                           no_network=True, huge_tree=True)
_INVISIBLE = ("script", "style", "noscript", "template")
# elements whose end separates words: "<p>one</p><p>two</p>" is "one two", not "onetwo"
_BLOCKS = ("p", "div", "br", "li", "dt", "dd", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
           "h6", "blockquote", "pre", "section", "article", "header", "footer", "figure",
           "figcaption", "table", "ul", "ol", "hr", "img")


def plain_text(html: str | bytes) -> str:
    """The visible text, whitespace collapsed to single spaces. ``html``: text or UTF-8."""
    if isinstance(html, str):
        html = html.encode("utf-8", "replace")
    if not html or html.isspace():
        return ""
    try:
        root = etree.fromstring(html, _PARSER)
    except etree.LxmlError:
        return ""
    if root is None:
        return ""
    etree.strip_elements(root, *_INVISIBLE, with_tail=False)
    for element in root.iter(_BLOCKS):
        element.tail = " " + element.tail if element.tail else " "
    return collapse_spaces(etree.tostring(root, method="text", encoding=str))


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())
