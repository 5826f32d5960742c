"""Turn a response body in any charset into UTF-8 bytes for the XML and JSON parsers.

Order of evidence: a byte order mark; then valid UTF-8 (a document that decodes as UTF-8
is UTF-8 whatever its prolog claims, as in Miniflux); then the XML declaration, then the
HTTP charset, each tried strictly; then UTF-8 if only a stray byte is wrong; then a
declared legacy charset, tolerantly; else GB18030 or Big5, whichever the bytes look like
(most legacy feeds here are Chinese, and some of them falsely claim UTF-8).
"""

import codecs
import re

_XML_DECLARED_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)

_GB = ("gb18030",)
# cp950 first: it is what Windows and iconv emit for "Big5"; HKSCS adds Hong Kong characters.
_BIG5 = ("cp950", "big5hkscs")
# A label that names HKSCS: its own reading first. Where both codecs read a code point,
# they disagree on some (C6A1 is ① in HKSCS and ヾ in cp950).
_HKSCS = ("big5hkscs", "cp950")
# Python's HKSCS codec reads these Big5 punctuation marks other than cp950, iconv, Java and
# browsers (WHATWG's Big5 decoder is HKSCS's) read them: A145 as • for ‧, A1E3 as ∼ for ～.
_BIG5_PUNCTUATION = tuple(zip("•､‾∼♁☉¥¢£￭", "‧﹑¯～⊕⊙￥￠￡▓"))
_WESTERN = ("cp1252",)
# Labels that name a subset of a wider codec: decode with the superset, as browsers do.
_FAMILIES = {
    "gbk": _GB, "gb2312": _GB, "gb_2312-80": _GB, "gb_2312": _GB, "x-gbk": _GB, "cp936": _GB,
    "ms936": _GB, "windows-936": _GB, "euc-cn": _GB, "csgb2312": _GB, "gb18030": _GB,
    "big5": _BIG5, "x-x-big5": _BIG5, "cn-big5": _BIG5, "csbig5": _BIG5, "cp950": _BIG5,
    "ms950": _BIG5, "windows-950": _BIG5,
    "big5-hkscs": _HKSCS, "big5hkscs": _HKSCS, "big5_hkscs": _HKSCS,
    "iso-8859-1": _WESTERN, "iso8859-1": _WESTERN, "latin1": _WESTERN, "latin-1": _WESTERN,
    "us-ascii": _WESTERN, "ascii": _WESTERN, "windows-1252": _WESTERN,
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def to_utf8(body: bytes, content_type: str | None = None, *, verify: bool = True) -> bytes:
    """The body as UTF-8 bytes, without a byte order mark. The prolog may still name
    another charset: parse with a parser whose encoding is forced to UTF-8.

    ``verify=False``: when nothing names another charset, return the body unchecked (the
    parsers check it as they go: on a UnicodeDecodeError, call again verifying). Checking
    costs a full decode, as much as a third of parsing a CDATA-heavy feed.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            if codec == "utf-8":
                return _valid_utf8_or_replaced(body[len(bom):])
            return body[len(bom):].decode(codec, errors="replace").encode("utf-8")
    utf16 = _utf16_without_bom(body)
    if utf16:
        return body.decode(utf16, errors="replace").encode("utf-8")
    declared, from_http = declared_charset(body), http_charset(content_type)
    if not verify and _says_utf8(declared) and _says_utf8(from_http):
        return body
    if body.isascii() or _is_utf8(body):
        return body
    return decode_legacy(body, declared, from_http).encode("utf-8")


def decode_legacy(body: bytes, declared: str | None, from_http: str | None) -> str:
    """Decode a body that is not UTF-8, trying each piece of evidence strictly first."""
    candidates = _codecs_for(declared) + _codecs_for(from_http)
    for codec in candidates:
        try:
            return _decoded(body, codec)
        except UnicodeDecodeError:
            continue
    as_utf8 = body.decode("utf-8", errors="replace")
    if _mostly_valid(as_utf8):
        return as_utf8  # UTF-8 with a stray bad byte: any other reading would garble it all
    legacy = [codec for codec in candidates if codec != "utf-8"]
    if legacy:
        return _decoded(body, legacy[0], errors="replace")
    # nothing said, or only a false "UTF-8": Chinese sites' legacy charsets
    return chinese_legacy(body) or as_utf8


def _decoded(body: bytes, codec: str, errors: str = "strict") -> str:
    text = body.decode(codec, errors)
    return big5_punctuation_as_cp950_reads_it(text) if codec == "big5hkscs" else text


def big5_punctuation_as_cp950_reads_it(text: str) -> str:
    """``text`` read by Python's HKSCS codec, with the Big5 punctuation it reads otherwise
    (``•`` for ``‧``) as cp950 reads it."""
    for hkscs, cp950 in _BIG5_PUNCTUATION:
        if hkscs in text:  # a search of the text is a hundred times faster than translate()
            text = text.replace(hkscs, cp950)
    return text


def chinese_legacy(body: bytes) -> str | None:
    """``body`` read as GB18030 or Big5, whichever its bytes look like, or None when it is
    neither. Nearly any Big5 text also decodes as GB18030, into rare characters: the
    common ones of GB2312 have trail bytes from 0xA1, while two in five Big5 characters
    have one below 0x7F."""
    trails = _DOUBLE_BYTE_TRAIL.findall(body)
    low = sum(1 for trail in trails if trail[0] < 0x7F)
    order = (*_BIG5, "gb18030") if low * 5 > len(trails) else ("gb18030", *_BIG5)
    for codec in order:
        try:
            return _decoded(body, codec)
        except UnicodeDecodeError:
            continue
    return None


_DOUBLE_BYTE_TRAIL = re.compile(rb"[\x81-\xfe]([\x40-\xfe])")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META_SNIFF_BYTES = 4096


def html_charset(page: bytes) -> str | None:
    """The charset an HTML page names in a ``<meta>`` near its start."""
    declared = _META_CHARSET.search(page[:_META_SNIFF_BYTES])
    return declared.group(1).decode("ascii").lower() if declared else None


def declared_charset(body: bytes) -> str | None:
    match = _XML_DECLARED_ENCODING.match(body[:256])
    return match.group(1).decode("ascii").lower() if match else None


def http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HTTP_CHARSET.search(content_type)
    return match.group(1).lower() if match else None


def _codecs_for(label: str | None) -> tuple[str, ...]:
    if not label:
        return ()
    family = _FAMILIES.get(label)
    if family:
        return family
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return ()
    # A UTF-16/32 label on bytes without a BOM is a lie once the bytes reached here.
    return () if name.startswith(("utf-16", "utf-32")) else (name,)


def _mostly_valid(text: str) -> bool:
    """Whether UTF-8 decoding replaced few of the non-ASCII characters (GB18030 or Big5
    read as UTF-8 replaces most of them)."""
    replaced = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return replaced * 20 < non_ascii


def _says_utf8(label: str | None) -> bool:
    return label is None or label.replace("_", "-") in ("utf-8", "utf8")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _valid_utf8_or_replaced(body: bytes) -> bytes:
    return body if _is_utf8(body) else body.decode("utf-8", errors="replace").encode("utf-8")


def _utf16_without_bom(body: bytes) -> str | None:
    head = body[:4]
    if head == b"<\x00?\x00" or head[:2] == b"<\x00" and head[3:4] == b"\x00":
        return "utf-16-le"
    if head == b"\x00<\x00?" or head[:1] == b"\x00" and head[1:2] == b"<":
        return "utf-16-be"
    return None
