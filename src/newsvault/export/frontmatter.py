"""Front matter of a Jekyll post: YAML scalars out, lenient line-based reading in.

Writing follows the old system byte for byte where a value needs nothing special
(``title`` always in double quotes, every other value plain), and otherwise emits the
smallest valid YAML: a double-quoted scalar. Whether plain is safe is decided by
character rules and PyYAML's own implicit-resolver table (a regex per first character),
never by parsing YAML, so that writing thousands of posts stays cheap.

Reading does not use a YAML parser: the old system wrote values without escaping, so
its files are often not valid YAML (a title with ``"`` inside). Each ``key: value`` line
is read on its own; a double-quoted value that does not close where the line ends is
taken from its first to its last quote.

Every value loses the characters YAML cannot carry (C0 and C1 controls, DEL, lone
surrogates, U+FFFE, U+FFFF); a title's line breaks become spaces first.
"""

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

import yaml

# -- cleaning -------------------------------------------------------------------------

_UNCARRIABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n|[\r\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: str) -> str:
    """``value`` without the characters a YAML value cannot carry (controls are dropped)."""
    if _UNCARRIABLE.search(value) is None:
        return value
    if _SURROGATE.search(value) is not None:  # a pair written as two \u escapes is one character
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    return _UNCARRIABLE.sub("", value)


def clean_title(value: str) -> str:
    """A title on one line: line breaks become spaces, then ``clean``."""
    if "\n" in value or "\r" in value:
        value = _LINE_BREAK.sub(" ", value)
    return clean(value)


# -- writing --------------------------------------------------------------------------

_ESCAPES = str.maketrans({
    "\\": "\\\\", '"': '\\"', "\u2028": "\\u2028", "\u2029": "\\u2029", "\ufeff": "\\ufeff",
})
_NEEDS_ESCAPE = re.compile('[\\\\"\u2028\u2029\ufeff]')

# Block context, the value after "key: ". Quoted when it starts with an indicator or a
# space, ends with a space, holds ": ", " #", a YAML line break or a BOM, or ends with ":".
_BLOCK_UNSAFE = re.compile(
    r"""\A[\-?:,\[\]{}#&*!|>'"%@` ]|[ ]\Z|:[ ]|:\Z|[ ]#|[\u2028\u2029\x85\ufeff]"""
)
# Inside a flow list "[ a, b ]" the flow indicators, ":", "?" (PyYAML ends a plain scalar
# there) and "#" are quoted anywhere.
_FLOW_UNSAFE = re.compile(
    r"""\A[\-?:,\[\]{}#&*!|>'"%@` ]|[ ]\Z|[,\[\]{}:?#\u2028\u2029\x85\ufeff]"""
)

# What Jekyll's reader (Ruby's Psych) types where PyYAML reads a string: booleans and null
# in any case ("yEs", "nULL"), numbers with commas ("1,000"), dates with one-digit fields
# ("2022-1-5") and times with a "+0800" offset, sexagesimal "12:30". Such a value plain
# would be true, nil, 1000 or a Date in Jekyll: a category "true", or none at all.
_PSYCH_TYPED = re.compile(
    r"\A(?:(?i:yes|no|true|false|on|off|null|y|n)|~|[-+]?\.(?i:inf|nan)"
    r"|[-+]?[0-9][0-9_,]*(?:\.[0-9_,]*)?(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)\Z"
)
_RESOLVERS = yaml.SafeLoader.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _resolved_tag(value: str) -> str:
    """The tag YAML gives ``value`` written plain (``bool`` for "yes", ``int`` for "0x1f"...)."""
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _timestamp_loads(value: str) -> bool:
    """True when YAML can build the timestamp (a pattern match can still be 2020-13-45)."""
    try:
        # YAML's pattern matched: fields Python accepts are fields YAML accepts, and asking
        # Python costs a twentieth of asking YAML's constructor (every post has a date)
        datetime.fromisoformat(value)
        return True
    except ValueError:
        pass
    try:
        _CONSTRUCTOR.construct_yaml_timestamp(yaml.ScalarNode(_TIMESTAMP, value))
    except (ValueError, OverflowError, TypeError):
        return False
    return True


def double_quoted(value: str) -> str:
    """``"value"`` with ``\\``, ``"``, U+2028, U+2029 (and a BOM) escaped; ``value`` is clean."""
    if _NEEDS_ESCAPE.search(value) is not None:
        value = value.translate(_ESCAPES)
    return f'"{value}"'


def scalar(value: str, *, flow: bool = False, timestamp: bool = False) -> str:
    """``value`` (clean) plain when that reads back as the same string, else double-quoted.

    ``timestamp``: a value YAML reads as a date or datetime may stay plain (the ``date:``).
    ``flow``: the value is an item of a flow list.

    Outside a flow list, spaces around a value that is plain-safe without them are kept as
    they are, unquoted: they are layout, not value (YAML drops them), and the old system
    wrote such lines (``author: Timothy Grose ``); a legacy post so comes back byte for byte.
    """
    core = value
    if not flow and (value[:1] == " " or value[-1:] == " "):
        core = value.strip(" ")
    if not core or (_FLOW_UNSAFE if flow else _BLOCK_UNSAFE).search(core) is not None:
        return double_quoted(value)
    tag = _resolved_tag(core)
    if tag == _STR and _PSYCH_TYPED.match(core) is None:
        return value
    if timestamp and tag == _TIMESTAMP and _timestamp_loads(core):
        return value
    return double_quoted(value)


def flow_list(items: list[str]) -> str:
    """``[ a, b ]``, ``[ a ]``, ``[ ]``; items are cleaned and quoted as needed."""
    if not items:
        return "[ ]"
    return "[ " + ", ".join(scalar(clean(item), flow=True) for item in items) + " ]"


def is_plain_key(name: str) -> bool:
    """True when ``name`` can be written as a plain key that reads back as the same string."""
    return ":" not in name and "#" not in name and scalar(name) == name and name.strip(" ") == name


def raw_value(raw: str) -> str:
    """An unknown key's value as it was read (``True``), when YAML accepts it; else quoted.

    The text is copied, not re-emitted, so legacy posts come back byte for byte; a value that
    would break the YAML (or load as a different key) is written as a double-quoted string.
    A value over several lines (``structured``) starts with its line break or its own space,
    and is written right after the key's ":". One with a YAML anchor (``&a``) is not copied:
    two keys' anchors of one name would break the whole front matter (hypothesis found it).
    """
    if is_structured(raw) and _ANCHOR.search(raw) is None and _reads_back(raw):
        return raw
    raw = clean_title(raw)
    if not raw.strip(" "):
        return ""
    if (raw.lstrip(" ")[:1] in ("'", '"') or _ANCHOR.search(raw) is None) and _loads_alone(raw):
        return raw  # (a quoted scalar holds no anchor)
    return double_quoted(raw.strip(" "))


def _reads_back(raw: str) -> bool:
    """Whether ``key:RAW`` read again is this structured value, lines and all."""
    try:
        entries, _ = read_front_matter(f"---\nk:{raw}\n---\n")
    except NotFrontMatter:
        return False
    found = structured(entries[0], lists=True) if len(entries) == 1 else None
    return found is not None and found[0] == raw


# "&name" where a value, a flow item or a block item starts: an anchor ("R&D", "a & b" aren't)
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s,\[\]{}]")


_LOADERS = tuple(dict.fromkeys((getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader)))


@lru_cache(maxsize=256)
def _loads_alone(raw: str) -> bool:
    for loader in _LOADERS:
        try:
            loaded = yaml.load(f"k: {raw}\n", Loader=loader)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return False
        if not (isinstance(loaded, dict) and list(loaded) == ["k"]):
            return False
    return True


# -- reading --------------------------------------------------------------------------


class Entry:
    """One front-matter key as read: its raw value text, or the items of a block list."""

    __slots__ = ("key", "raw", "items", "literal", "written", "lines")

    def __init__(self, name: str, raw: str):
        self.key = name
        self.raw = raw  # the text after "key: ", spaces kept (they are layout)
        self.items: list[str] | None = None  # "- item" lines under the key
        self.literal = False  # a "|" or ">" block scalar: raw is the text itself
        self.written = raw  # the text after "key: " as on the key's line, never changed
        self.lines: list[str] = []  # the lines under the key's line, as written

    def text(self) -> str:
        """The raw value for keeping an unknown key (a block list as a flow list)."""
        if self.items is not None:
            return "[ " + ", ".join(self.items) + " ]" if self.items else "[ ]"
        if self.literal:
            return double_quoted(clean_title(self.raw))
        return self.raw


class NotFrontMatter(ValueError):
    """The text does not start with a front-matter block; the message says why."""


_KEY_LINE = re.compile(r"""([^\s#:'"\-\[{][^:]*?)[ \t]*:(?:[ \t](.*))?\Z""")
_BLOCK_INDICATOR = re.compile(r"[|>][+\-]?[1-9]?[+\-]?\Z")


def read_front_matter(text: str) -> tuple[list[Entry], str]:
    """The front-matter entries in order, and the body (everything after the closing line).

    Raises ``NotFrontMatter`` when the text has no ``---`` first line or no closing line.
    """
    start = 1 if text.startswith("\ufeff") else 0
    end = text.find("\n", start)
    if end < 0 or text[start:end].rstrip() != "---":
        raise NotFrontMatter("no front matter (the file does not start with a --- line)")
    entries: list[Entry] = []
    pos = end + 1
    length = len(text)
    while pos < length:
        end = text.find("\n", pos)
        if end < 0:
            end = length
        line = text[pos:end]
        pos = end + 1
        if line[-1:] == "\r":
            line = line[:-1]
        match = _KEY_LINE.match(line)
        if match is not None:
            entries.append(Entry(match.group(1), match.group(2) or ""))
            continue
        stripped = line.strip()
        if stripped in ("---", "...") and line[:1] in "-.":
            return entries, text[pos:] if pos <= length else ""
        if entries:
            entries[-1].lines.append(line)
        _continue_entry(entries, line, stripped)
    raise NotFrontMatter("the front matter is not closed (no second --- line)")


def _continue_entry(entries: list[Entry], line: str, stripped: str) -> None:
    """A line that is not ``key: value``: a list item, a folded continuation, or noise."""
    if not entries or not stripped or (stripped[0] == "#" and not entries[-1].literal):
        return
    entry = entries[-1]
    if (stripped == "-" or stripped.startswith("- ")) and (not entry.raw.strip() or entry.items):
        if entry.items is None:
            entry.items = []
        entry.items.append(stripped[1:].strip())
    elif entry.items:
        entry.items[-1] += " " + stripped
    elif not entry.literal and _BLOCK_INDICATOR.match(entry.raw.strip()):
        entry.raw, entry.literal = stripped, True
    else:  # a value the old system broke over lines (a title with a line break in it)
        entry.raw = f"{entry.raw.rstrip()} {stripped}" if entry.raw.strip() else stripped


_YAML_ESCAPE = re.compile(
    r"""\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abtnvfre "/\\N_LP\t])"""
)
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}


def _unescape_one(match: re.Match) -> str:
    code = match.group(1)
    if len(code) == 1:
        return _SIMPLE_ESCAPES[code]
    try:
        return chr(int(code[1:], 16))
    except (ValueError, OverflowError):
        return match.group(0)


def _closing_quote(value: str) -> int:
    """Index of the quote that closes a double-quoted ``value``, or -1."""
    index = 1
    length = len(value)
    while index < length:
        char = value[index]
        if char == "\\":
            index += 2
        elif char == '"':
            return index
        else:
            index += 1
    return -1


def unquote(value: str) -> str:
    """A scalar's text (stripped) as the string it stands for, leniently.

    ``"..."`` is unescaped when it closes at the end; a double-quoted value broken by
    unescaped inner quotes gives everything between its first and last quote, as written.
    ``'...'`` likewise with ``''``. Anything else is plain text, kept as it is.
    """
    first = value[:1]
    if first == '"':
        if value[-1] == '"' and len(value) > 1 and '"' not in value[1:-1] and "\\" not in value:
            return value[1:-1]
        close = _closing_quote(value)
        if close > 0 and (close == len(value) - 1 or value[close + 1:].lstrip()[:1] in ("", "#")):
            return _YAML_ESCAPE.sub(_unescape_one, value[1:close])
        last = value.rfind('"')
        return value[1:last] if last > 0 else value[1:]
    if first == "'":
        last = value.rfind("'")
        inner = value[1:last] if last > 0 else value[1:]
        return inner.replace("''", "'")
    return value


_COMMENT = re.compile(r"[ \t]+#[^\n]*")
# after the list's own "]" (none inside a quoted item: a comment holds no "]" or quote)
_FLOW_END_COMMENT = re.compile(r"\][ \t]+#[^\n\]\"']*$")


def structured(entry: Entry, lists: bool = False) -> tuple[str, object] | None:
    """The value as written after ``key:`` and as YAML loads it, when it spans lines that
    the lenient reading would flatten: a mapping (``image:`` with ``path:`` and ``alt:``
    under it), a list of mappings or lists (with ``lists``, any list), a ``|`` or ``>``
    block. None for a value on one line, a list of plain items, or lines YAML cannot read
    alone."""
    lines = [clean(line) for line in entry.lines]
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(line.strip() and line.lstrip()[:1] != "#" for line in lines):
        return None
    written = clean(entry.written).rstrip()
    block = _BLOCK_INDICATOR.match(written.strip()) is not None
    if without_comment(written).strip() and not block:
        return None
    text = (f" {written}" if written.strip() else "") + "\n" + "\n".join(lines)
    value = _loaded_alone(text)
    nested = isinstance(value, dict) or (isinstance(value, list) and (
        lists or any(isinstance(item, (dict, list)) for item in value)))
    return (text, value) if value is not None and (block or nested) else None


def is_structured(raw: str) -> bool:
    """Whether ``raw`` is a value over several lines as ``structured`` gives it: its lines
    under the key, or a ``|`` or ``>`` and its lines."""
    if not raw.strip():
        return False  # nothing under the key: an empty value
    return raw[:1] == "\n" or (raw[:2] in (" |", " >") and "\n" in raw)


def _loaded_alone(text: str) -> object | None:
    """What ``k:TEXT`` gives ``k``, or None when YAML reads something else or nothing."""
    try:
        loaded = yaml.load(f"k:{text}\n", Loader=_LOADERS[0])
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None
    return loaded["k"] if isinstance(loaded, dict) and list(loaded) == ["k"] else None


def flow_collection(entry: Entry) -> tuple[str, object] | None:
    """A one-line ``[ … ]`` or ``{ … }`` value as written and as YAML loads it, or None."""
    written = clean(entry.written).strip()
    if written[:1] not in ("[", "{") or entry.lines and any(line.strip() for line in entry.lines):
        return None
    value = _loaded_alone(f" {written}")
    return (f" {written}", value) if isinstance(value, (list, dict)) else None


def scalar_value(entry: Entry) -> str:
    """The string value of an entry, unquoted (not yet cleaned)."""
    if entry.literal:
        return entry.raw
    if entry.items is not None:
        return ", ".join(unquote(item) for item in entry.items)
    core = entry.raw.strip(" \t")
    return unquote(core) if core[:1] in ("'", '"') else without_comment(entry.raw)


def without_comment(plain: str) -> str:
    """A plain (unquoted) value without the YAML comment that may end it: " #" starts one,
    "C#" is text."""
    return _COMMENT.sub("", plain) if "#" in plain else plain


def is_lone_scalar(entry: Entry) -> bool:
    """Whether the value is one scalar, not a list."""
    return entry.items is None and (entry.literal or entry.raw.strip(" \t")[:1] != "[")


def list_value(entry: Entry) -> list[str]:
    """The items of ``[ a, "b, c" ]``, of ``- a`` lines, or of a lone scalar (not cleaned);
    as YAML reads them, a plain item ends at a comment and a null one (``~``) is none."""
    if entry.items is not None:
        return _items([item if item.lstrip()[:1] in ("'", '"') else without_comment(item)
                       for item in entry.items])
    raw = entry.raw.strip(" \t")
    if entry.literal or raw[:1] != "[":
        value = scalar_value(entry)
        return [value] if value.strip(" \t") or raw[:1] in ("'", '"') else []
    raw = _FLOW_END_COMMENT.sub("]", raw)
    inner = raw[1:-1] if raw.endswith("]") else raw[1:]
    if '"' not in inner and "'" not in inner:
        return _items(part.strip(" \t") for part in inner.split(","))
    return _items(_split_flow(inner))


def _items(raws: Iterable[str]) -> list[str]:
    return [unquote(item) for item in (raw.strip(" \t") for raw in raws)
            if item and item not in NULLS]


NULLS = frozenset(("~", "null", "Null", "NULL"))  # YAML's null, besides nothing at all


def _split_flow(inner: str) -> list[str]:
    """The raw items of a flow list's inside, split at commas outside quotes."""
    items: list[str] = []
    index = 0
    length = len(inner)
    while index < length:
        while index < length and inner[index] in " \t":
            index += 1
        if index >= length:
            break
        quote = inner[index]
        if quote in "\"'":
            end = index + 1
            while end < length:
                if quote == '"' and inner[end] == "\\":
                    end += 2
                    continue
                if inner[end] == quote:
                    if quote == "'" and inner[end + 1:end + 2] == "'":
                        end += 2
                        continue
                    break
                end += 1
            comma = inner.find(",", min(end + 1, length))
        else:
            comma = inner.find(",", index)
        if comma < 0:
            comma = length
        items.append(inner[index:comma].strip(" \t"))
        index = comma + 1
    return items
