"""Safe XML parsing: a strict fast path, a lenient path for broken feeds, and tree reading.

Both parsers never substitute entities, never read a DTD, never touch the network and keep
libxml2's size limits: a billion-laughs document stays small, ``<!ENTITY x SYSTEM
"file:///etc/passwd">`` is never read. Parser objects are not thread-safe, hence one pair
per thread.

Speed: libxml2 checks CDATA character by character (~120 MB/s on news HTML), while most of
a feed's bytes are CDATA. So large CDATA sections are lifted out before parsing (each
replaced by a short private-use token) and put back, decoded by Python, when read.

Broken feeds are first repaired (``clean_xml``), then their elements closed as HTML would
close them (``balanced_tags``), so that libxml2's recovery keeps each item apart.
"""

import html.entities
import re
import threading
from urllib.parse import urljoin

from lxml import etree

from newsvault.feeds.text import c1_as_html_reads_it
from newsvault.links import web_link

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_SAFE = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_comments=True, remove_pis=True,
    # No collect_ids=False although it is faster: with it libxml2 reads external DTDs.
    encoding="utf-8",  # the bytes were made UTF-8 by encoding.to_utf8, whatever the prolog says
)
_local = threading.local()

_CDATA_OPEN, _CDATA_CLOSE = b"<![CDATA[", b"]]>"
_TOKEN_OPEN = "\ue000"  # private use; a token is U+E000, the section number, U+E001
_TOKEN = re.compile("\ue000([0-9]+)\ue001")
_TOKEN_START = _TOKEN_OPEN.encode()
_LIFT_MIN_BYTES = 128

_ILLEGAL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF
# An "&" that starts no XML reference: bare, or an HTML entity name (group 1).
# a character reference to a UTF-16 surrogate (U+D800–U+DFFF), and the one right after it
_SURROGATE = rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5(?:529[6-9]|53[0-9]{2}|5[4-9][0-9]{2}|6[0-9]{3}|7[0-2][0-9]{2}|73[0-3][0-9]|734[0-3]));"
_SURROGATE_REFERENCES = re.compile(b"(" + _SURROGATE + b")(" + _SURROGATE + b")?")
# a "<" that starts no tag, end tag, comment, CDATA section or processing instruction (a
# feed's element names are ASCII: "<人民日报>" is a title in book-title marks, not markup)
_STRAY_LT = re.compile(rb"<(?![A-Za-z_/!?])")
# a reference to a C1 control (&#146;, &#x92;), which HTML reads as Windows-1252 does
_C1_REFERENCE = re.compile(rb"&#(?:0*(?:12[89]|1[34][0-9]|15[0-9])|[xX]0*[89][0-9a-fA-F]);")
_AMPERSAND = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)"
    rb"(?:([A-Za-z][A-Za-z0-9]{0,31});)?"
)
# What HTML never closes; raw HTML in a feed writes <br>, which XML reads as left open.
# Not "link" or "source": RSS elements of those names hold text.
_VOID_ELEMENTS = frozenset(b"area base br col embed hr img input meta param track wbr".split())
_ITEM_ELEMENTS = frozenset((b"item", b"entry"))
_NAME = rb"[A-Za-z_\x80-\xff][\w.:\x80-\xff-]*"
_TAG = re.compile(
    rb"<(?:!\[CDATA\[.*?(?:\]\]>|\Z)|!--.*?(?:-->|\Z)|[!?][^>]*>?"  # passed over
    rb"|/(?P<end>" + _NAME + rb")\s*>"
    rb"|(?P<start>" + _NAME + rb")(?:\s(?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)?>)",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(rb"""(\s+)([^\s=/>"'<]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_END_TAG = re.compile(rb"\s*</(" + _NAME + rb")\s*>")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
_PROLOG_BYTES = 4096  # where junk before <?xml (a PHP warning, say) or a DOCTYPE is looked for


class XmlDocument:
    """A parsed feed document. Read text through :meth:`text` and :meth:`markup`, which put
    lifted CDATA back, and read the references to C1 controls as HTML does (``c1``: the
    document has some: one search of the markup costs far less than one of every text)."""

    __slots__ = ("root", "recovered", "_sections", "_c1")

    def __init__(self, root: etree._Element, recovered: bool, sections: list[str],
                 c1: bool = False):
        self.root, self.recovered, self._sections, self._c1 = root, recovered, sections, c1

    def text(self, element: etree._Element) -> str:
        """All character data inside ``element``; entity references (never expanded) are skipped."""
        text = element.text if len(element) == 0 else text_of(element)
        if not text:
            return ""
        if self._sections and _TOKEN_OPEN in text:
            text = self._restore(text)
        return c1_as_html_reads_it(text) if self._c1 else text

    def markup(self, element: etree._Element) -> str:
        """The element's content as markup: its text exactly when it has no children (the
        usual CDATA case), else the serialized children."""
        if len(element) == 0:
            markup = element.text
            if not markup:
                return ""
            if self._sections and _TOKEN_OPEN in markup:
                markup = self._restore(markup)
        else:
            # Serialized, a CDATA section is escaped text: so must a lifted one be.
            markup = serialized_content(element)
            if self._sections:
                markup = self._restore(markup, escaped=True)
        return c1_as_html_reads_it(markup) if self._c1 else markup

    def _restore(self, text: str, escaped: bool = False) -> str:
        sections = self._sections
        if not escaped and text[0] == _TOKEN_OPEN and text[-1] == "\ue001" \
                and text.count(_TOKEN_OPEN) == 1:
            return sections[int(text[1:-1])]  # the usual case: the element held one section
        if escaped:
            return _TOKEN.sub(lambda token: html.escape(sections[int(token[1])], quote=False), text)
        return _TOKEN.sub(lambda token: sections[int(token[1])], text)


def parse_xml(data: bytes, utf8_verified: bool = True) -> XmlDocument | None:
    """Parse strictly, else repair and recover what can be; None when nothing is readable.

    Raises UnicodeDecodeError when ``data`` turns out not to be UTF-8 (possible only
    when not ``utf8_verified``).
    """
    strict, lenient = _parsers()
    lifted, sections = lift_cdata(data)
    if not any(_has_illegal_characters(section) for section in sections):
        try:
            root = etree.fromstring(lifted, strict)
            if not _undefined_entities(root, data):
                return XmlDocument(root, False, _decoded(sections), _has_c1_reference(lifted))
        except etree.XMLSyntaxError:
            pass
    if not utf8_verified:
        # libxml2 may have failed on the encoding: then tell the caller. Only the markup is
        # checked here; the lifted sections are checked as they are decoded.
        lifted.decode("utf-8")
    lifted, sections = lift_cdata(clean_xml(data))
    root = _recovered_root(lifted, lenient)
    if root is None:
        return None
    return XmlDocument(root, True, _decoded(sections), _has_c1_reference(lifted))


def _has_c1_reference(markup: bytes) -> bool:
    """Whether the markup the parser read (lifted CDATA, which holds none, left out)
    refers to a C1 control character."""
    return _C1_REFERENCE.search(markup) is not None


def _undefined_entities(root: etree._Element, data: bytes) -> bool:
    """Whether a strict parse left HTML's entity references unread: a DOCTYPE with an external DTD
    (RSS 0.91's Netscape one, which declares HTML's entities) lets libxml2 accept
    ``&eacute;`` without knowing it. The repairs read such names as HTML does."""
    if data.find(b"<!DOCTYPE", 0, _PROLOG_BYTES) < 0 and data.find(b"<!doctype", 0, _PROLOG_BYTES) < 0:
        return False
    return any(entity.name + ";" in html.entities.html5 for entity in root.iter(etree.Entity))


def _recovered_root(data: bytes, lenient: etree.XMLParser) -> etree._Element | None:
    """The root libxml2 recovers; with the elements balanced first if it had to recover
    more than the repairs left (balancing costs a tenth of a lenient parse)."""
    try:
        root = etree.fromstring(data, lenient)
        if lenient.error_log:
            root = etree.fromstring(balanced_tags(data), lenient)
    except etree.XMLSyntaxError:  # recover=True raises only when nothing at all was readable
        return None
    return root


def lift_cdata(data: bytes) -> tuple[bytes, list[bytes]]:
    """``data`` with each large CDATA section replaced by a token, and the sections' bytes.

    Gives up (returns ``data`` unchanged) where a token could be confused with text (the
    markup left in place holds U+E000) or a CDATA opener might not be markup: after a
    DOCTYPE (entity values), or inside a comment or processing instruction left open.
    """
    start = data.find(_CDATA_OPEN)
    if start < 0 or data.find(b"<!DOCTYPE", 0, start) >= 0:
        return data, []
    pieces, sections = [], []
    copied = scanned = 0
    while start >= 0:
        end = _cdata_end(data, start + 9)
        if end < 0 or _left_open(data, scanned, start):
            break
        if end - start - 9 >= _LIFT_MIN_BYTES:
            pieces.append(data[copied:start])
            pieces.append(b"\xee\x80\x80%d\xee\x80\x81" % len(sections))
            sections.append(data[start + 9 : end])
            copied = end + 3
        scanned = end + 3
        start = data.find(_CDATA_OPEN, scanned)
    if not sections:
        return data, []
    pieces.append(data[copied:])
    if any(_TOKEN_START in piece for piece in pieces[::2]):
        return data, []
    return b"".join(pieces), sections


def _cdata_end(data: bytes, position: int) -> int:
    """Where the CDATA section read from ``position`` ends (its "]]>"), or -1."""
    # memchr for "]" is ~20 times faster than searching "]]>", and HTML has few "]".
    for _ in range(64):
        position = data.find(b"]", position)
        if position < 0 or data.startswith(_CDATA_CLOSE, position):
            return position
        position += 1
    return data.find(_CDATA_CLOSE, position)


def _left_open(data: bytes, start: int, end: int) -> bool:
    """Whether markup between ``start`` and ``end`` opens a comment or PI it does not close."""
    for opener, closer in ((b"<!--", b"-->"), (b"<?", b"?>")):
        # A forward search first: it is much faster, and the usual answer is "none".
        if data.find(opener, start, end) >= 0 and \
                data.rfind(opener, start, end) > data.rfind(closer, start, end):
            return True
    return False


def _has_illegal_characters(section: bytes) -> bool:
    """What libxml2 would have refused in a CDATA section (U+FFFE/U+FFFF aside: rare, and
    harmless once decoded)."""
    return len(section.translate(None, _ILLEGAL_BYTES)) != len(section)


def _decoded(sections: list[bytes]) -> list[str]:
    # The parser turns CR LF and CR into LF everywhere; the lifted text gets the same.
    return [(section if b"\r" not in section
             else section.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).decode("utf-8")
            for section in sections]


def clean_xml(data: bytes) -> bytes:
    """Repair the usual breakage of hand-made feeds, leaving CDATA sections byte-exact
    (apart from control characters, which XML forbids even there)."""
    data = _without_illegal_characters(data)
    prolog = data.find(b"<?xml", 0, _PROLOG_BYTES)
    data = data[prolog:] if prolog > 0 else data.lstrip()
    data = _without_doctype(data)
    pieces, position = [], 0
    while True:
        start = data.find(_CDATA_OPEN, position)
        end = _cdata_end(data, start + 9) if start >= 0 else -1
        if end < 0:
            break
        pieces.append(_fixed_text(data[position:start]))
        pieces.append(data[start : end + 3])
        position = end + 3
    # Past the last complete section; an unclosed one (a truncated feed) is left as it is.
    rest = data[position:]
    open_cdata = rest.find(_CDATA_OPEN)
    if open_cdata >= 0:
        pieces.append(_fixed_text(rest[:open_cdata]) + rest[open_cdata:])
    else:
        pieces.append(_fixed_text(rest))
    return b"".join(pieces)


def _without_illegal_characters(data: bytes) -> bytes:
    # Deleting these bytes is safe in UTF-8: they never occur inside a multi-byte sequence.
    cleaned = data.translate(None, _ILLEGAL_BYTES)
    if b"\xef\xbf" in cleaned:  # the first two bytes of both
        for noncharacter in _NONCHARACTERS:
            cleaned = cleaned.replace(noncharacter, b"")
    return cleaned


def _without_doctype(data: bytes) -> bytes:
    """A feed needs no DTD; without it, entity bombs are plain undefined references."""
    start = data.find(b"<!DOCTYPE", 0, _PROLOG_BYTES)
    if start < 0:
        start = data.find(b"<!doctype", 0, _PROLOG_BYTES)
    match = _DOCTYPE.match(data, start) if start >= 0 else None
    return data[: match.start()] + data[match.end() :] if match else data


def _fixed_text(markup: bytes) -> bytes:
    """``markup`` with its stray ``&`` and ``<`` escaped: a ``<`` that can start no tag
    (``PM2.5<35``, ``revenue < $5M``, ``<<人民日报>>``) is text, which libxml2's recovery
    would drop, and with the words after it when a name follows."""
    if b"<" in markup:
        markup = _STRAY_LT.sub(b"&lt;", markup)
    return _fix_ampersands(markup)


def _fix_ampersands(markup: bytes) -> bytes:
    if b"&" not in markup:
        return markup
    markup = _AMPERSAND.sub(_fixed_reference, markup)
    return _SURROGATE_REFERENCES.sub(_joined_surrogates, markup) if b"&#" in markup else markup


def _joined_surrogates(match: re.Match) -> bytes:
    """A pair of UTF-16 surrogate references (``&#55357;&#56832;``, as Java's and
    JavaScript's escapers write an emoji) as the one character they encode; a lone one as
    U+FFFD. XML allows neither, and libxml2's recovery keeps them as bytes no UTF-8 reader
    takes."""
    high, low = _surrogate(match.group(1)), _surrogate(match.group(2))
    if 0xD800 <= high < 0xDC00 and low is not None and 0xDC00 <= low:
        return b"&#%d;" % (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    return b"&#65533;" * (1 if low is None else 2)


def _surrogate(reference: bytes | None) -> int | None:
    if reference is None:
        return None
    digits = reference[2:-1]
    return int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)


def _fixed_reference(match: re.Match) -> bytes:
    name = match.group(1)
    if name is None:
        return b"&amp;"
    characters = html.entities.html5.get(name.decode("ascii") + ";")
    if characters is None:
        return b"&amp;" + name + b";"  # shown as written, as a browser would
    return "".join(f"&#{ord(character)};" for character in characters).encode("ascii")


def balanced_tags(data: bytes) -> bytes:
    """``data`` with its elements closed as HTML closes them: a void element (``<br>``) at
    once; those left open inside an element, by its end tag; an item left open, by the next
    item. An end tag that closes nothing is dropped.

    libxml2's recovery closes one element per end tag, whatever its name: after one
    ``<br>`` in an item's raw HTML, every later item would be read as inside that one.
    """
    pieces, copied, open_names = [], 0, []
    for tag in _TAG.finditer(data):
        if tag["start"] is not None:
            replacement = _opened(tag, open_names, data)
        elif tag["end"] is not None:
            replacement = _closed(tag["end"], open_names)
        else:
            continue
        if replacement is not None:
            pieces += (data[copied : tag.start()], replacement)
            copied = tag.end()
    if not pieces:
        return data
    pieces.append(data[copied:])
    return b"".join(pieces)


def _opened(tag: re.Match, open_names: list[bytes], data: bytes) -> bytes | None:
    """What replaces the start tag ``tag`` (None: itself); an element left open is pushed."""
    name, markup = tag["start"], tag[0]
    if len(markup) > len(name) + 2:
        markup = _with_xml_attributes(markup)
    if not markup.endswith(b"/>"):
        if name.lower() in _VOID_ELEMENTS and not _closed_at(data, tag.end(), name):
            markup = markup[:-1] + b"/>"
        else:
            if name.rpartition(b":")[2] in _ITEM_ELEMENTS and name in open_names:
                markup = _closing(open_names, _innermost(open_names, name)) + markup
            open_names.append(name)
    return None if markup == tag[0] else markup


def _with_xml_attributes(start_tag: bytes) -> bytes:
    """The start tag with its HTML attributes written as XML's: ``src=x.jpg`` quoted,
    ``disabled`` given a value. libxml2 would drop the tag's attributes and text."""
    return _ATTRIBUTE.sub(_xml_attribute, start_tag)


def _xml_attribute(attribute: re.Match) -> bytes:
    space, name, value = attribute.groups()
    if value is None:
        value = name  # as XHTML writes a bare attribute
    elif value[:1] in (b'"', b"'"):
        return attribute[0]
    return b"%s%s=\"%s\"" % (space, name, value)


def _closed(name: bytes, open_names: list[bytes]) -> bytes | None:
    """What replaces the end tag of ``name`` (None: itself)."""
    if open_names and open_names[-1] == name:
        open_names.pop()
        return None
    index = _innermost(open_names, name)
    if index < 0:  # a case slip, </pubdate> for <pubDate>, closes the element it means
        index = _innermost([open_name.lower() for open_name in open_names], name.lower())
    return _closing(open_names, index) if index >= 0 else b""


def _closed_at(data: bytes, position: int, name: bytes) -> bool:
    """Whether the end tag of ``name`` follows at ``position`` (``<br></br>``)."""
    end_tag = _END_TAG.match(data, position)
    return end_tag is not None and end_tag[1] == name


def _innermost(open_names: list[bytes], name: bytes) -> int:
    """The index of the innermost open element of ``name``, or -1."""
    for index in range(len(open_names) - 1, -1, -1):
        if open_names[index] == name:
            return index
    return -1


def _closing(open_names: list[bytes], index: int) -> bytes:
    """End tags for the open elements from ``index`` on, innermost first, which are popped."""
    closed = open_names[index:]
    del open_names[index:]
    return b"".join(b"</" + name + b">" for name in reversed(closed))


def _parsers() -> tuple[etree.XMLParser, etree.XMLParser]:
    pair = getattr(_local, "parsers", None)
    if pair is None:
        pair = _local.parsers = (etree.XMLParser(**_SAFE), etree.XMLParser(recover=True, **_SAFE))
    return pair


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def text_of(element: etree._Element) -> str:
    """Character data inside ``element`` as the tree holds it (see XmlDocument.text)."""
    if len(element) == 0:
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def serialized_content(element: etree._Element) -> str:
    """The element's children serialized, without the namespace declarations of the
    element's ancestors that serializing each child alone would repeat."""
    markup = etree.tostring(element, encoding="unicode", with_tail=False)
    if markup.endswith("/>") and markup.find(">") == len(markup) - 1:
        return ""
    # lxml escapes ">" in attribute values, so the first ">" closes the start tag.
    return markup[markup.index(">") + 1 : markup.rindex("</")]


def resolve_base(element: etree._Element, base: str) -> str:
    """``base`` updated by the element's ``xml:base``, if it has one."""
    own = element.get(XML_BASE)
    return urljoin(base, own.strip()) if own else base


def absolute_url(link: str | None, base: str) -> str | None:
    """``link`` trimmed and resolved against ``base``; None when empty, or when it is no web
    page's (javascript:, data:, mailto:...): a feed's link is shown as one to follow."""
    if not link:
        return None
    link = link.strip()
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return web_link(urljoin(base, link) if base else link) or None
