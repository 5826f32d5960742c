"""The main content of an article's web page, as an HTML fragment.

trafilatura finds the article and drops what surrounds it (navigation, ads, related links,
comments, footers), keeping its structure: paragraphs, headings, lists, quotes, tables,
images (lazy ones included), links and emphasis. Two per-source rules take precedence:
``remove_selectors`` (CSS) are taken out of the page before anything else, and a
``content_selector`` (CSS) names the content itself, in which case the extractor is not used.

The result is the page's HTML, not made safe: the sanitizer's job (content/sanitize.py).
"""

import re
from html import escape

from cssselect import GenericTranslator
from lxml import etree, html

from newsvault.content.rules import ExtractError, ExtractRules
from newsvault.feeds.encoding import chinese_legacy, html_charset

# trafilatura keeps a paragraph's class: captions travel through it as paragraphs so
# marked, and become <figcaption> again afterwards (trafilatura drops <figcaption>).
_CAPTION_CLASS = "newsvault-caption"
_NEVER_CONTENT = ("script", "style", "noscript", "template", "form", "button", "input",
                  "select", "textarea", "object", "embed")
_LAZY_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-url")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_MIN_TEXT = 20  # characters (spaces not counted): less is a link or a label, not an article


def extract_article(page: bytes, url: str, rules: ExtractRules = ExtractRules(),
                    charset: str | None = None, title: str | None = None) -> str:
    """The article in ``page`` (fetched from ``url``; ``charset`` from its Content-Type)
    as an HTML fragment with absolute links. ``title``: the item's own, dropped from the
    content where the page repeats it as a heading. Raises ExtractError when nothing is
    found."""
    tree = _parse(page, charset)
    for selector in rules.remove_selectors:
        _drop(tree.xpath(_xpath(selector)))
    if rules.content_selector:
        fragment = _selected(tree, rules.content_selector, url)
    else:
        _mark_captions(tree)
        fragment = _extracted(tree, url)
        _restore_figures(fragment)
    _drop_title(fragment, title)
    too_little = len("".join(fragment.text_content().split())) < _MIN_TEXT
    if too_little and fragment.find(".//img") is None:
        raise ExtractError("no article content found in the page")
    return _inner_html(fragment)


def _parse(page: bytes, charset: str | None) -> html.HtmlElement:
    if b"\x00" in page[:1024]:
        raise ExtractError("not an HTML page (binary data)")
    text = _decoded(page, charset)
    try:
        if text is not None:
            return html.document_fromstring(_XML_DECLARATION.sub("", text))
        return html.document_fromstring(page)  # libxml2 reads the <meta> charset
    except (etree.ParserError, ValueError) as error:
        raise ExtractError(f"not an HTML page ({error})") from None


def _decoded(page: bytes, charset: str | None) -> str | None:
    """The page as text when its encoding is known (the HTTP header) or it is UTF-8, or,
    when the page names none either, GB18030 or Big5 as its bytes look; None to let the
    HTML parser find the encoding in the page (it would take an unnamed one for Latin-1)."""
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return page.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return None if html_charset(page) else chinese_legacy(page)


def _xpath(selector: str) -> str:
    return GenericTranslator().css_to_xpath(selector)


def _drop(elements: list) -> None:
    for element in elements:
        if element.getparent() is not None:
            element.drop_tree()


def _mark_captions(tree: html.HtmlElement) -> None:
    for caption in tree.iter("figcaption"):
        caption.tag = "p"
        caption.set("class", _CAPTION_CLASS)


def _extracted(tree: html.HtmlElement, url: str) -> html.HtmlElement:
    # favor_precision: measured on the fixture pages (bench/extract_bench.py), it drops the
    # ads, paywall prompts and "recommended" lines left inside the article's container,
    # and no sentence of the articles themselves.
    import trafilatura  # here: importing it costs every fetch 0.2 s, and most need no page

    result = trafilatura.extract(
        tree, url=url, output_format="html", include_images=True, include_links=True,
        include_tables=True, include_formatting=True, include_comments=False,
        favor_precision=True, with_metadata=False, deduplicate=False,
    )
    if not result:
        raise ExtractError("no article content found in the page")
    document = html.document_fromstring(result)
    return document.find("body") if document.find("body") is not None else document


def _selected(tree: html.HtmlElement, selector: str, url: str) -> html.HtmlElement:
    found = tree.xpath(_xpath(selector))
    if not found:
        raise ExtractError(f"content_selector {selector!r} matches nothing in the page")
    fragment = html.Element("div")
    for element in found:
        element.tail = None
        fragment.append(element)
    _drop([element for tag in _NEVER_CONTENT for element in fragment.iter(tag)])
    etree.strip_elements(fragment, etree.Comment, with_tail=False)
    _unlazy_images(fragment)
    fragment.make_links_absolute(url, resolve_base_href=False, handle_failures="ignore")
    return fragment


def _unlazy_images(fragment: html.HtmlElement) -> None:
    """A lazy image's real address is in a data- attribute; its src a placeholder."""
    for image in fragment.iter("img"):
        lazy = next((image.get(name) for name in _LAZY_SOURCES if image.get(name)), None)
        src = image.get("src") or ""
        if lazy and (not src or src.startswith("data:")):
            image.set("src", lazy)


def _drop_title(fragment: html.HtmlElement, title: str | None) -> None:
    if not title:
        return
    wanted = _words(title)
    _drop([heading for heading in fragment.iter("h1") if _words(heading.text_content()) == wanted])


def _restore_figures(fragment: html.HtmlElement) -> None:
    """A marked caption becomes a <figcaption>, in a <figure> with the image before it;
    a paragraph again when there is no such image."""
    for caption in list(fragment.xpath(f".//p[@class='{_CAPTION_CLASS}']")):
        del caption.attrib["class"]
        image = caption.getprevious()
        if image is None or image.tag != "img" or (image.tail or "").strip():
            continue
        caption.tag = "figcaption"
        figure = html.Element("figure")
        image.addprevious(figure)
        figure.tail, image.tail, caption.tail = caption.tail, None, None
        figure.append(image)
        figure.append(caption)


def _words(text: str) -> str:
    return " ".join(text.split())


def _inner_html(fragment: html.HtmlElement) -> str:
    parts = [escape(fragment.text, quote=False)] if fragment.text else []
    parts += [html.tostring(child, encoding="unicode") for child in fragment]
    return "".join(parts).strip()
