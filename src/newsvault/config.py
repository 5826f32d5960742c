"""newsvault.toml → typed settings.

The file is the user's: newsvault reads it, and only ever appends ``[[sources]]``
blocks to it (``add``, ``opml import``), so comments and layout survive.
"""

import codecs
import difflib
import json
import os
import stat
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsvault.errors import ConfigError
from newsvault.files import folder_locked, write_atomic

CONFIG_NAME = "newsvault.toml"
DATABASE_NAME = "newsvault.db"
DEFAULT_USER_AGENT = "newsvault/0.1 (+https://github.com/newsvault/newsvault)"


@dataclass(slots=True)
class FetchSettings:
    concurrency: int = 16  # requests in flight, all hosts together
    per_host: int = 4  # requests in flight to one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0  # one request, redirects and retries included
    max_body_bytes: int = 20 * 1024 * 1024  # on the wire and once decompressed
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a 5xx server error or a network error
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    user_agent: str = DEFAULT_USER_AGENT
    # URLs found in feed or page content may reach private/loopback addresses (fetch/netsafe.py)
    allow_private_addresses: bool = False
    warc: bool = False  # record every HTTP response into WARC files (fetch/warc.py)
    warc_dir: str = "warc"  # relative to the archive folder; open_archive makes it absolute
    warc_max_bytes: int = 1000 * 1000 * 1000  # a new file once one is past this size
    # the archive's (site.timezone): a feed's date that names no zone is read in it
    timezone: str = "UTC"


FULL_TEXT_MODES = ("auto", "always", "never")


@dataclass(slots=True)
class MediaSettings:
    """[media]: the images articles show, downloaded into the archive (pipeline/media.py)."""

    download: bool = True  # `fetch` and `run` download new articles' images
    concurrency: int = 8  # downloads in flight (within [fetch] concurrency and per_host)
    max_file_bytes: int = 10 * 1024 * 1024
    max_article_bytes: int = 50 * 1024 * 1024  # an article's downloads stop past this
    max_attempts: int = 3  # a failed image is tried again on later runs, this many times in all
    max_per_run: int = 1000  # images tried per run, newest articles first; the rest wait


@dataclass(slots=True)
class SourceSettings:
    name: str
    url: str
    tags: list[str] = field(default_factory=list)
    # the article page: "auto" fetched when the item looks like a summary, "always", "never"
    full_text: str = "auto"
    content_selector: str | None = None  # CSS: the article's content, instead of the extractor
    remove_selectors: list[str] = field(default_factory=list)  # CSS: taken out of the page first


@dataclass(slots=True)
class JekyllExportSettings:
    enabled: bool = True
    out: str = "_posts"
    raw: bool = False


@dataclass(slots=True)
class BuildSettings:
    enabled: bool = True  # `run` builds the site after fetching
    out: str = "site"


@dataclass(slots=True)
class Settings:
    title: str = "newsvault"
    timezone: str = "Asia/Shanghai"
    base_url: str = ""  # where the site is published, ending in "/"; "" if unknown
    language: str = "zh"  # of the site's own words: "zh" | "en"
    build: BuildSettings = field(default_factory=BuildSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    jekyll: JekyllExportSettings = field(default_factory=JekyllExportSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    sources: list[SourceSettings] = field(default_factory=list)


def load_settings(path: Path) -> Settings:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no {CONFIG_NAME} in {path.parent}; create an archive with `newsvault init DIR` "
            "or name one with --archive DIR"
        ) from None
    return settings_from_dict(_parsed(_decoded(data, path), path), origin=str(path))


def _decoded(data: bytes, path: Path) -> str:
    """The file's text, without the byte order mark some editors write first."""
    text = data.removeprefix(codecs.BOM_UTF8)
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        line = text.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            f"{path} is not UTF-8 text: line {line} has a byte (0x{text[error.start]:02x}) "
            "that is not UTF-8 there (GBK or another encoding?); save the file as UTF-8, the "
            "encoding TOML requires") from None


def _parsed(text: str, path: Path) -> dict:
    try:
        # lines ending in a lone CR were read as lines before (Python's universal newlines)
        return tomllib.loads(text.replace("\r\n", "\n").replace("\r", "\n"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def settings_from_dict(data: dict, origin: str = CONFIG_NAME) -> Settings:
    reader = _Reader(origin)
    reader.known_keys(data, "")
    site = reader.table(data, "site")
    settings = Settings(
        title=reader.value(site, "site.title", str, "newsvault"),
        timezone=reader.value(site, "site.timezone", str, "Asia/Shanghai"),
        base_url=_base_url(reader, site),
        language=reader.choice(site, "site.language", ("zh", "en"), "zh"),
        build=_build_settings(reader, reader.table(data, "build")),
        fetch=_fetch_settings(reader, reader.table(data, "fetch")),
        jekyll=_jekyll_settings(reader, reader.table(data, "export.jekyll")),
        media=_media_settings(reader, reader.table(data, "media")),
        sources=_sources(reader, data.get("sources", [])),
    )
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{origin}: site.timezone = {settings.timezone!r} is not a time zone; "
            "use an IANA name such as 'Asia/Shanghai' or 'UTC'"
        ) from None
    settings.fetch.timezone = settings.timezone
    return settings


# Every key each table may hold (README, section "newsvault.toml"). Any other is refused: a
# misspelt key would otherwise be ignored without a word.
_KEYS = {
    "": ("site", "fetch", "media", "export", "build", "sources"),
    "site": ("title", "timezone", "language", "base_url"),
    "fetch": ("concurrency", "per_host", "connect_timeout", "read_timeout", "total_timeout",
              "max_body_mb", "max_redirects", "retries", "backoff", "user_agent",
              "allow_private_addresses", "warc", "warc_dir", "warc_max_mb"),
    "media": ("download", "concurrency", "max_file_mb", "max_article_mb", "max_attempts",
              "max_per_run"),
    "export": ("jekyll",),
    "export.jekyll": ("enabled", "out", "raw"),
    "build": ("enabled", "out"),
    "sources": ("name", "url", "tags", "full_text", "content_selector", "remove_selectors"),
}


def _unknown_key(table: str, key: str, value: object, shown: str) -> str:
    """The message for ``key`` of ``table`` (written ``shown``), which newsvault does not
    know: the closest known key, else where the key belongs, else the keys there are."""
    dotted = f"{shown}.{key}" if shown else key
    if isinstance(value, dict):
        what = f"table [{dotted}]"
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        what = f"table [[{dotted}]]"
    else:
        what = f"key `{dotted}`"
    homes = [home for home, keys in _KEYS.items() if key in keys and home not in ("", table)]
    close = difflib.get_close_matches(key, _KEYS[table], n=1)
    if homes and not table:
        return (f"`{key}` belongs in the {' or '.join(map(_written, homes))} table "
                f"({' or '.join(f'`{home}.{key}`' for home in homes)}), not at the top of the file")
    if homes:
        hint = f"it belongs in {' or '.join(map(_written, homes))}"
    elif close:
        hint = f"did you mean {_written(table, close[0], shown)}?"
    else:
        hint = f"{_written(table) if table else 'the file'} takes " + ", ".join(
            _written(table, other, "") for other in _KEYS[table])
    return f"unknown {what}; {hint}"


def _written(table: str, key: str = "", shown: str | None = None) -> str:
    """A table or key as the file writes it: ``[fetch]``, ``[[sources]]``, `` `retries` ``;
    a key in the table ``shown`` (``fetch``, ``sources #2``) as `` `fetch.retries` ``."""
    path = ".".join(part for part in (table, key) if part)
    if path == "sources":
        return "[[sources]]"
    if path in _KEYS:
        return f"[{path}]"
    return f"`{shown}.{key}`" if shown else f"`{key}`"


def _fetch_settings(reader: "_Reader", table: dict) -> FetchSettings:
    default = FetchSettings()
    return FetchSettings(
        concurrency=reader.positive(table, "fetch.concurrency", default.concurrency),
        per_host=reader.positive(table, "fetch.per_host", default.per_host),
        connect_timeout=reader.seconds(table, "fetch.connect_timeout", default.connect_timeout),
        read_timeout=reader.seconds(table, "fetch.read_timeout", default.read_timeout),
        total_timeout=reader.seconds(table, "fetch.total_timeout", default.total_timeout),
        max_body_bytes=_megabytes(reader, table, "fetch.max_body_mb", default.max_body_bytes),
        max_redirects=reader.at_least_0(table, "fetch.max_redirects", default.max_redirects),
        retries=reader.at_least_0(table, "fetch.retries", default.retries),
        backoff=reader.seconds(table, "fetch.backoff", default.backoff, zero_allowed=True),
        user_agent=_user_agent(reader, table, default.user_agent),
        allow_private_addresses=reader.value(table, "fetch.allow_private_addresses", bool, False),
        warc=reader.value(table, "fetch.warc", bool, False),
        warc_dir=reader.value(table, "fetch.warc_dir", str, default.warc_dir),
        warc_max_bytes=_warc_max_bytes(reader, table),
    )


def _user_agent(reader: "_Reader", table: dict, default: str) -> str:
    value = reader.value(table, "fetch.user_agent", str, default)
    if not value.strip() or not value.isprintable():  # an HTTP header: one line
        raise ConfigError(f"{reader.origin}: `fetch.user_agent` must be printable text on one "
                          f"line, not {value!r}")
    return value


def _warc_max_bytes(reader: "_Reader", table: dict) -> int:
    max_mb = reader.value(table, "fetch.warc_max_mb", (int, float), 1000)
    if max_mb <= 0:
        raise ConfigError(f"{reader.origin}: `fetch.warc_max_mb` must be more than 0, not {max_mb}")
    return max(int(max_mb * 1000 * 1000), 1)


def _media_settings(reader: "_Reader", table: dict) -> MediaSettings:
    default = MediaSettings()
    return MediaSettings(
        download=reader.value(table, "media.download", bool, default.download),
        concurrency=reader.positive(table, "media.concurrency", default.concurrency),
        max_file_bytes=_megabytes(reader, table, "media.max_file_mb", default.max_file_bytes),
        max_article_bytes=_megabytes(reader, table, "media.max_article_mb",
                                     default.max_article_bytes),
        max_attempts=reader.positive(table, "media.max_attempts", default.max_attempts),
        max_per_run=reader.positive(table, "media.max_per_run", default.max_per_run),
    )


def _megabytes(reader: "_Reader", table: dict, dotted: str, default_bytes: int) -> int:
    value = reader.value(table, dotted, (int, float), default_bytes / 2**20)
    if value <= 0:
        raise ConfigError(f"{reader.origin}: `{dotted}` must be more than 0, not {value}")
    return max(int(value * 2**20), 1)


def _jekyll_settings(reader: "_Reader", table: dict) -> JekyllExportSettings:
    return JekyllExportSettings(
        enabled=reader.value(table, "export.jekyll.enabled", bool, True),
        out=reader.value(table, "export.jekyll.out", str, "_posts"),
        raw=reader.value(table, "export.jekyll.raw", bool, False),
    )


def _base_url(reader: "_Reader", site: dict) -> str:
    url = reader.value(site, "site.base_url", str, "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{reader.origin}: `site.base_url` must be an http(s) URL such as "
                          f"'https://example.github.io/news/', not {url!r}")
    return url if not url or url.endswith("/") else url + "/"


def _build_settings(reader: "_Reader", table: dict) -> BuildSettings:
    return BuildSettings(
        enabled=reader.value(table, "build.enabled", bool, True),
        out=reader.value(table, "build.out", str, "site"),
    )


def _sources(reader: "_Reader", entries: object) -> list[SourceSettings]:
    if not isinstance(entries, list):
        raise ConfigError(f"{reader.origin}: `sources` must be an array of tables ([[sources]])")
    sources, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        source = _source(reader, entry, f"sources #{index}")
        if source.name in seen:
            raise ConfigError(f"{reader.origin}: two sources are named {source.name!r}; "
                              "names must be unique")
        seen.add(source.name)
        sources.append(source)
    return sources


def _source(reader: "_Reader", entry: object, where: str) -> SourceSettings:
    if not isinstance(entry, dict):
        raise ConfigError(f"{reader.origin}: {where} must be a table")
    if isinstance(entry.get("name"), str) and entry["name"].strip():
        reader = _Reader(f"{reader.origin}: the source {entry['name']!r}")
    reader.known_keys(entry, "sources", where)
    name = reader.value(entry, f"{where}.name", str, None)
    url = reader.value(entry, f"{where}.url", str, None)
    if not name or not url:
        raise ConfigError(f"{reader.origin}: {where} needs both `name` and `url`")
    if problem := name_problem(name):
        raise ConfigError(f"{reader.origin}: `{where}.name` {name!r} {problem}; a source's "
                          "name is printable text on one line")
    if problem := url_problem(url):
        raise ConfigError(f"{reader.origin}: `{where}.url` {url!r} {problem}")
    return SourceSettings(
        name=name, url=url, tags=_tags(reader, entry, f"{where}.tags", name),
        full_text=reader.choice(entry, f"{where}.full_text", FULL_TEXT_MODES, "auto"),
        content_selector=_selector(reader, entry, f"{where}.content_selector"),
        remove_selectors=_selectors(reader, entry, f"{where}.remove_selectors"),
    )


def _tags(reader: "_Reader", entry: dict, dotted: str, name: str) -> list[str]:
    tags = reader.value(entry, dotted, list, [])
    for tag in tags:
        if not isinstance(tag, (str, int, float)) or isinstance(tag, bool):
            raise ConfigError(f"{reader.origin}: `{dotted}` must be a list of strings, "
                              f"not {tags!r}")
        if problem := text_problem(str(tag)):
            raise ConfigError(f"{reader.origin}: `{dotted}`: {tag!r} {problem}; a tag is "
                              "printable text on one line")
    return tidy_tags(map(str, tags), name)


def _selector(reader: "_Reader", entry: dict, dotted: str) -> str | None:
    selector = reader.value(entry, dotted, str, "").strip()
    if selector:
        _check_css(reader, dotted, selector)
    return selector or None


def _selectors(reader: "_Reader", entry: dict, dotted: str) -> list[str]:
    selectors = reader.value(entry, dotted, list, [])
    for selector in selectors:
        if not isinstance(selector, str) or not selector.strip():
            raise ConfigError(f"{reader.origin}: `{dotted}` must be a list of CSS selectors "
                              f"(strings), not {selectors!r}")
        _check_css(reader, dotted, selector)
    return [selector.strip() for selector in selectors]


def _check_css(reader: "_Reader", dotted: str, selector: str) -> None:
    from cssselect import GenericTranslator, SelectorError  # only for sources that have rules

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as error:
        raise ConfigError(f"{reader.origin}: `{dotted}`: {selector!r} is not a CSS selector "
                          f"({error})") from None


class _Reader:
    """Reads typed values and says exactly which key is wrong."""

    def __init__(self, origin: str):
        self.origin = origin

    def table(self, data: dict, path: str) -> dict:
        """The table at the dotted ``path`` ({} if absent), its keys checked."""
        table, keys = data, path.split(".")
        for depth, key in enumerate(keys, start=1):
            table, walked = table.get(key, {}), ".".join(keys[:depth])
            if not isinstance(table, dict):
                raise ConfigError(f"{self.origin}: `{walked}` must be a table ([{walked}])")
            self.known_keys(table, walked)
        return table

    def known_keys(self, table: dict, path: str, shown: str | None = None) -> None:
        """Refuse a key that ``path``'s table does not have (``shown``: how its keys are
        named in messages, ``sources #2`` for a source)."""
        for key, value in table.items():
            if key not in _KEYS[path]:
                message = _unknown_key(path, key, value, path if shown is None else shown)
                raise ConfigError(f"{self.origin}: {message}")

    def value(self, table: dict, dotted: str, kind, default):
        key = dotted.rsplit(".", 1)[-1]
        if key not in table:
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            expected = " or ".join(k.__name__ for k in kinds)
            raise ConfigError(f"{self.origin}: `{dotted}` must be {expected}, not {value!r}")
        return value

    def choice(self, table: dict, dotted: str, choices: tuple[str, ...], default: str) -> str:
        value = self.value(table, dotted, str, default)
        if value not in choices:
            raise ConfigError(f"{self.origin}: `{dotted}` must be one of "
                              f"{', '.join(map(repr, choices))}, not {value!r}")
        return value

    def seconds(self, table: dict, dotted: str, default: float, zero_allowed=False) -> float:
        value = self.value(table, dotted, (int, float), default)
        if value < 0 or (value == 0 and not zero_allowed) or value != value:  # NaN too
            least = "0 or more" if zero_allowed else "more than 0"
            raise ConfigError(f"{self.origin}: `{dotted}` must be {least} seconds, not {value}")
        return value

    def at_least_0(self, table: dict, dotted: str, default: int) -> int:
        value = self.value(table, dotted, int, default)
        if value < 0:
            raise ConfigError(f"{self.origin}: `{dotted}` must be 0 or more, not {value}")
        return value

    def positive(self, table: dict, dotted: str, default: int) -> int:
        value = self.value(table, dotted, int, default)
        if value < 1:
            raise ConfigError(f"{self.origin}: `{dotted}` must be at least 1, not {value}")
        return value


DEFAULT_SOURCES = [
    # RSSHub gives 联合早报's whole articles, with the site's ad and paywall slots in them
    SourceSettings("联合早报", "https://rsshub.app/zaobao/realtime/china", remove_selectors=[
        "#dfp-ad-imu1", "section#imu", ".cx_paywall_placeholder", "#innity-in-post"]),
    SourceSettings("BBC 中文", "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml"),
    SourceSettings("DW 中文", "https://rss.dw.com/xml/rss-chi-all"),
    SourceSettings("RFI 中文", "https://www.rfi.fr/cn/rss"),
    SourceSettings("纽约时报中文网", "https://cn.nytimes.com/rss/"),
]

CONFIG_TEMPLATE = """\
# newsvault archive settings. Reference: README.md, section "newsvault.toml".

[site]
title = {title}
timezone = {timezone}    # IANA name; pages show dates in it, and a feed date naming no zone is read in it
language = "zh"          # the site's own words: "zh" (简体中文) or "en"
# base_url = "https://example.github.io/news/"   # where the site is published (feeds, sitemap)

[fetch]
concurrency = 16         # requests in flight, all hosts together
per_host = 4             # requests in flight to one host
connect_timeout = 10     # seconds
read_timeout = 30        # seconds without a byte
total_timeout = 120      # seconds for one request, redirects and retries included
max_body_mb = 20         # cap on a response, on the wire and decompressed
max_redirects = 5
retries = 2              # extra attempts after a 5xx server error or a network error
backoff = 1.0            # seconds before the first retry, doubled each time
# user_agent = "newsvault/0.1"
# allow_private_addresses = false   # true: pages/images named by feeds may be on private addresses
# warc = false             # true: record every HTTP response in WARC files (or `fetch --warc`)
# warc_dir = "warc"        # folder, relative to this file
# warc_max_mb = 1000       # a new WARC file once one is past this size

[media]
download = true          # `fetch`/`run` download the images articles show into assets/media/
concurrency = 8          # downloads in flight
max_file_mb = 10         # a larger image keeps its remote URL
max_article_mb = 50      # an article's downloads stop once its images pass this
max_attempts = 3         # a failed image is tried again on later runs, up to this many times
max_per_run = 1000       # images tried per run (newest articles first); the rest wait

[export.jekyll]
enabled = true           # `newsvault run` writes Jekyll posts after fetching
out = "_posts"           # folder, relative to this file
raw = false              # true: the HTML exactly as the source gave it

[build]
enabled = true           # `newsvault run` builds the site after fetching
out = "site"             # folder, relative to this file

# One [[sources]] block per feed. `name` is the post's author, tag and category.
"""


def toml_string(value: str) -> str:
    # A JSON string is a TOML basic string (same escapes, \\uXXXX included), but for DEL,
    # which JSON leaves raw and TOML forbids.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def text_problem(text: str) -> str | None:
    """What makes ``text`` unfit for a name, tag or title in newsvault.toml, or None.
    Control characters and line breaks would end up in posts' YAML, file names and pages."""
    for char in filter(_is_control, text):
        if unicodedata.category(char) == "Cs":  # a byte of a command line that was not UTF-8
            return "is not UTF-8 text"
        kind = "a line break" if char in "\n\r\x85\u2028\u2029" else "a control character"
        return f"contains {kind} (U+{ord(char):04X})"
    return None


def name_problem(name: str) -> str | None:
    return "is empty" if not name.strip() else text_problem(name)


def tidy_tags(tags, name: str) -> list[str]:
    """Tags stripped, without empty ones, repeats, or the source's name (every post has
    that as its first tag already)."""
    stripped = (tag.strip() for tag in tags)
    return list(dict.fromkeys(tag for tag in stripped if tag and tag != name))


def url_problem(url: str) -> str | None:
    """What keeps ``url`` from being a feed's URL, and what to do about it; or None."""
    if url != url.strip():
        return "has white space around it; remove it"
    if problem := text_problem(url):
        return f"{problem}; remove it"
    for char in url:  # pasted with the URL from a page or a chat: never part of it
        if unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp") and char != " ":
            return f"contains an invisible character (U+{ord(char):04X}); remove it"
    try:
        parts = urlsplit(url)
    except ValueError as error:  # "http://[::1/feed": an IPv6 address not closed
        return f"is no URL ({error}); check its brackets"
    scheme = parts.scheme.lower()
    if scheme == "feed":
        return f"is a feed: URL; write it as {feed_url_as_http(url)}, as feed readers read it"
    if scheme not in ("http", "https"):
        if scheme and not parts.path[:1].isdigit():  # not host:port/path
            return f"uses {scheme}:, and newsvault fetches feeds over http:// and https:// only"
        return "is not a whole URL; write it with http:// or https:// and the host name"
    if not parts.hostname:
        return "has no host name; write it as http(s)://HOST/PATH"
    if any(character.isspace() for character in parts.hostname):
        return "has white space in its host name; remove it"
    try:
        parts.port
    except ValueError:
        return "has a port that is no number from 0 to 65535; write it as http(s)://HOST:PORT/PATH"
    return None


def feed_url_as_http(url: str) -> str:
    """``feed://host/path`` (browsers' subscribe links, some OPML files) is
    ``http://host/path`` to feed readers, and ``feed:https://host/path`` is the https URL."""
    if url[:5].lower() != "feed:":
        return url
    rest = url[5:]
    return rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest


def clean_name(text: str) -> str:
    """A name or tag from a feed or an OPML file: control characters dropped, line breaks
    and runs of white space made one space. (A name the user typed is refused instead.)"""
    kept = "".join(char for char in text if char.isspace() or not _is_control(char))
    return " ".join(kept.split())


def _is_control(char: str) -> bool:
    # control characters, line and paragraph separators, and lone surrogates
    return unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs")


def source_block(source: SourceSettings) -> str:
    lines = ["", "[[sources]]", f"name = {toml_string(source.name)}",
             f"url = {toml_string(source.url)}"]
    if source.tags:
        lines.append(f"tags = [{', '.join(toml_string(tag) for tag in source.tags)}]")
    if source.full_text != "auto":
        lines.append(f"full_text = {toml_string(source.full_text)}")
    if source.content_selector:
        lines.append(f"content_selector = {toml_string(source.content_selector)}")
    if source.remove_selectors:
        listed = ", ".join(toml_string(selector) for selector in source.remove_selectors)
        lines.append(f"remove_selectors = [{listed}]")
    return "\n".join(lines) + "\n"


def new_config_text(title: str, timezone: str, sources: list[SourceSettings]) -> str:
    text = CONFIG_TEMPLATE.format(title=toml_string(title), timezone=toml_string(timezone))
    return text + "".join(source_block(source) for source in sources)


def append_sources(path: Path, sources: list[SourceSettings]) -> None:
    """Add sources at the end of the user's file, leaving the rest of it as it is, its byte
    order mark, line endings and permissions included. The file is read and written under
    a lock (two ``add`` at once both land) and replaced whole (a full disk leaves the old
    file, not a cut one)."""
    path = Path(path).resolve()  # a link to the file stays a link
    with folder_locked(path.parent):  # not by ``run``: a source can be added during one
        data = path.read_bytes()
        mode = stat.S_IMODE(os.stat(path).st_mode)
        write_atomic(path, _with_sources(data, sources, path))
        os.chmod(path, mode)


def _with_sources(data: bytes, sources: list[SourceSettings], path: Path) -> bytes:
    text = _decoded(data, path)
    if not _takes_source_blocks(text, path):
        raise ConfigError(
            f"{path}: `sources` is written as an inline array (`sources = [...]`), and TOML "
            "allows no [[sources]] block after it: write each source as a [[sources]] block "
            "(README, section \"newsvault.toml\"), then run this command again")
    newline = _line_ending(text)
    if text and not text.endswith(("\n", "\r")):
        text += newline
    text += "".join(source_block(source) for source in sources).replace("\n", newline)
    settings_from_dict(_parsed(text, path), origin=str(path))  # never write a broken file
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    return bom + text.encode("utf-8")


def _takes_source_blocks(text: str, path: Path) -> bool:
    """False when `sources = [...]` is an array written in place: TOML allows no
    [[sources]] block after one."""
    try:
        _parsed(text + "\n[[sources]]\n", path)
        return True
    except ConfigError:
        _parsed(text, path)  # a file that is not TOML at all is said to be so
        return False


def _line_ending(text: str) -> str:
    """That of the file's first line: "\\r\\n" in a file saved on Windows."""
    first, found, _ = text.partition("\n")
    return "\r\n" if found and first.endswith("\r") else "\n"
