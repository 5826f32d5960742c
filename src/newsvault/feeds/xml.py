"""Safe XML parsing: a strict fast path, a lenient path for broken feeds, and tree reading.

Both parsers never substitute entities, never read a DTD, never touch the network and keep
libxml2's size limits: a billion-laughs document stays small, ``<!ENTITY x SYSTEM
"file:///etc/passwd">`` is never read. Parser objects are not thread-safe, hence one pair
per thread.

Speed: libxml2 checks CDATA character by character (~120 MB/s on news HTML), while most of
a feed's bytes are CDATA. So large CDATA sections are lifted out before parsing (each
replaced by a short private-use token) and put back, decoded by Python, when read.
"""

import html.entities
import re
import threading
from urllib.parse import urljoin

from lxml import etree

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
_AMPERSAND = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)"
    rb"(?:([A-Za-z][A-Za-z0-9]{0,31});)?"
)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
_PROLOG_BYTES = 4096  # where junk before <?xml (a PHP warning, say) or a DOCTYPE is looked for


class XmlDocument:
    """A parsed feed document. Read text through :meth:`text` and :meth:`markup`, which put
    lifted CDATA back."""

    __slots__ = ("root", "recovered", "_sections")

    def __init__(self, root: etree._Element, recovered: bool, sections: list[str]):
        self.root, self.recovered, self._sections = root, recovered, sections

    def text(self, element: etree._Element) -> str:
        """All character data inside ``element``; entity references (never expanded) are skipped."""
        text = element.text if len(element) == 0 else text_of(element)
        if not text:
            return ""
        return self._restore(text) if self._sections and _TOKEN_OPEN in text else text

    def markup(self, element: etree._Element) -> str:
        """The element's content as markup: its text exactly when it has no children (the
        usual CDATA case), else the serialized children."""
        if len(element) == 0:
            text = element.text
            if not text:
                return ""
            return self._restore(text) if self._sections and _TOKEN_OPEN in text else text
        # Serialized, a CDATA section is escaped text: so must a lifted one be.
        markup = serialized_content(element)
        return self._restore(markup, escaped=True) if self._sections else markup

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
            return XmlDocument(etree.fromstring(lifted, strict), False, _decoded(sections))
        except etree.XMLSyntaxError:
            pass
    if not utf8_verified:
        # libxml2 may have failed on the encoding: then tell the caller. Only the markup is
        # checked here; the lifted sections are checked as they are decoded.
        lifted.decode("utf-8")
    lifted, sections = lift_cdata(clean_xml(data))
    try:
        root = etree.fromstring(lifted, lenient)
    except etree.XMLSyntaxError:  # recover=True raises only when nothing at all was readable
        return None
    return XmlDocument(root, True, _decoded(sections)) if root is not None else None


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
        pieces.append(_fix_ampersands(data[position:start]))
        pieces.append(data[start : end + 3])
        position = end + 3
    # Past the last complete section; an unclosed one (a truncated feed) is left as it is.
    rest = data[position:]
    open_cdata = rest.find(_CDATA_OPEN)
    if open_cdata >= 0:
        pieces.append(_fix_ampersands(rest[:open_cdata]) + rest[open_cdata:])
    else:
        pieces.append(_fix_ampersands(rest))
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


def _fix_ampersands(markup: bytes) -> bytes:
    if b"&" not in markup:
        return markup
    return _AMPERSAND.sub(_fixed_reference, markup)


def _fixed_reference(match: re.Match) -> bytes:
    name = match.group(1)
    if name is None:
        return b"&amp;"
    characters = html.entities.html5.get(name.decode("ascii") + ";")
    if characters is None:
        return b"&amp;" + name + b";"  # shown as written, as a browser would
    return "".join(f"&#{ord(character)};" for character in characters).encode("ascii")


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
    """``link`` trimmed and resolved against ``base``; None when empty."""
    if not link:
        return None
    link = link.strip()
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return urljoin(base, link) if base else link
