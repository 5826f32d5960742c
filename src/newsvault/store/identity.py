"""What makes two feed items the same article.

Within a source: the item's guid (or, lacking one, its link, or its text).
Across all sources: the canonical link, so a story carried by two feeds, or by
the same feed with tracking parameters, is archived once.
"""

import hashlib
import html
import re
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from newsvault.model import Entry

# maca: Deutsche Welle names the feed an item came from
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "spm", "maca")
_TRACKING_PARAMETER = re.compile(
    "(?:^|&)(?:" + "|".join(map(re.escape, _TRACKING_PREFIXES)) + ")", re.IGNORECASE
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACES_AT_TAGS = re.compile(r"\s*([<>])\s*")
_SPACES = re.compile(r"\s+")
_TAG_IN_TITLE = re.compile(r"</?[A-Za-z][^<>]*>")
_TAG_PREFIX = re.compile(r"<(/?)[A-Za-z_][\w.-]*:(?=[A-Za-z])")  # "<xhtml:p>", "</xhtml:p>"
# Most links have a plain shape: lower-case http(s), a plain host, a path, maybe a query; no
# port, user, fragment or white space. For them parsing (~14 µs a link) changes nothing:
# at most the spelling of their characters is made one (_one_spelling).
_PLAIN_SHAPE = re.compile(r"https?://[a-z0-9.-]+/[^#?\s]*(?:\?[^#\s]+)?\Z")
# an escape that is not spelled the one way: lower case, an unreserved character, no escape
_ESCAPE_TO_SPELL = re.compile(
    r"%(?:[0-9A-F][a-f]|[a-f][0-9A-Fa-f]|2[DEde]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|7[Ee])"
    r"|%(?![0-9A-Fa-f]{2})")
# one spelling of each character in a path or query: a character past ASCII (or a space…)
# as its UTF-8 escapes, an escape in upper case, an unreserved character as itself
_KEPT_AS_WRITTEN = "!#$&'()*+,/:;=?@[]~%"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class KeyedEntry(NamedTuple):
    """An item with what identifies it, and its content as the store writes it: UTF-8,
    encoded once for both the hash and the row (the writer encodes outside the write lock)."""

    entry: Entry
    guid: str
    url_key: str | None  # the canonical link
    digest: str  # content_hash
    content: bytes | str  # UTF-8; the text itself if it holds a lone surrogate


def canonical_url(url: str | None) -> str | None:
    """The link with what does not change the page removed: fragment, tracking parameters,
    the default port, case in scheme and host."""
    if not url:
        return None
    url = url.strip()
    if _PLAIN_SHAPE.match(url):
        query = url.partition("?")[2]
        if not (query and _TRACKING_PARAMETER.search(query)):
            if url.isascii() and ("%" not in url or not _ESCAPE_TO_SPELL.search(url)):
                return url
            return _one_spelling(url)  # the scheme and host are letters, digits, "." and "-"
    return _parsed_canonical_url(url)


def _parsed_canonical_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return url
    if ":" in host:
        host = f"[{host}]"  # IPv6
    elif not host.isascii():
        host = _ascii_host(host)
    if port and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = parts.query
    if query and _TRACKING_PARAMETER.search(query):  # parsing every query would cost more
        query = _without_tracking(query)
    path = _one_spelling(parts.path or "/")
    return f"{scheme}://{host}{path}" + (f"?{_one_spelling(query)}" if query else "")


def _one_spelling(text: str) -> str:
    """``text`` (a path or a query) spelled one way: "/新闻", "/%e6%96%b0%e9%97%bb" and
    "/%E6%96%B0%E9%97%BB" are one page (a site's own feed and an RSSHub route write them
    differently); "%7E" is "~". Reserved characters and their escapes are kept as they
    are: "a%2Fb" is not "a/b"."""
    if text.isascii() and "%" not in text and " " not in text:
        return text  # the most common path or query: nothing to spell
    text = quote(text, safe=_KEPT_AS_WRITTEN)
    return _ESCAPE.sub(_escape_spelled, text)


def _escape_spelled(match: re.Match) -> str:
    character = chr(int(match.group(1), 16))
    return character if character in _UNRESERVED else match.group(0).upper()


def _ascii_host(host: str) -> str:
    """A host of the other scripts in its ASCII form (例子.测试: xn--fsqu00a.xn--0zwm56d),
    as a browser asks for it; as it is where IDNA refuses it."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def scheme_blind(url_key: str) -> str:
    """The canonical link with http read as https: a site that moves to https (or serves
    both) publishes the same pages under both schemes."""
    return "https://" + url_key[7:] if url_key.startswith("http://") else url_key


def scheme_twin(url_key: str) -> str | None:
    """The same canonical link under the other scheme (None if it is neither http nor https)."""
    if url_key.startswith("http://"):
        return "https://" + url_key[7:]
    if url_key.startswith("https://"):
        return "http://" + url_key[8:]
    return None


def _without_tracking(query: str) -> str:
    """The query without its tracking parameters; the others exactly as written (decoding
    and encoding them again would make another key of the same link)."""
    kept = [part for part in query.split("&")
            if not part.partition("=")[0].lower().startswith(_TRACKING_PREFIXES)]
    return "&".join(kept)


def content_hash(title: str, content_html: str) -> str:
    return _hash(title, content_html.encode("utf-8", "surrogatepass"))


def _hash(title: str, content_utf8: bytes) -> str:
    # SHA-256 over BLAKE2: CPUs with SHA extensions hash it twice as fast
    digest = hashlib.sha256()
    digest.update(title.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(content_utf8)
    return digest.hexdigest()[:32]


def entry_guid(entry: Entry) -> str:
    if entry.guid and entry.guid.strip():
        return entry.guid.strip()
    if entry.url:
        return entry.url
    return "hash:" + content_hash(entry.title, entry.content_html)


def unique_entries(entries: list[Entry]) -> list[KeyedEntry]:
    """Each entry with its identity keys and content hash, without repeats inside one feed
    (same guid or same canonical link, http and https alike): the first wins.

    Some links identify no article (``article_keys``): such items are known by their
    guids. A guid that three or more items with other links and other titles share (a CMS
    that gives every item the site's address) names none of them: they are known by links."""
    url_keys = article_keys([(entry.url, entry_guid(entry), entry.title) for entry in entries])
    shared = _guids_of_several_links(entries, url_keys)
    seen_guids, seen_urls, kept = set(), set(), []
    for entry, url_key in zip(entries, url_keys):
        guid = entry_guid(entry)
        if guid in shared and url_key:
            guid = entry.url
        if guid in seen_guids or (url_key and scheme_blind(url_key) in seen_urls):
            continue
        seen_guids.add(guid)
        if url_key:
            seen_urls.add(scheme_blind(url_key))
        kept.append(_keyed(entry, guid, url_key))
    return kept


def article_keys(items: list[tuple[str | None, str, str]]) -> list[str | None]:
    """The canonical link of each (link, identity, title) of one feed or one folder of
    posts, or None where the link identifies no article: a site's home page (a podcast's
    episodes that all link to the show's), one page that items link to each at an anchor
    of its own (a changelog's "news.html#v1.2", "#v1.1"), or one page that three or more
    items with their own identities and titles share (the show's page). Two such items
    may be one story listed twice; three are a page that names none of them."""
    keys = [_article_key(url) for url, _, _ in items]
    by_key: dict[str, list[int]] = {}
    for at, key in enumerate(keys):
        if key:
            by_key.setdefault(scheme_blind(key), []).append(at)
    for shared in by_key.values():
        if len(shared) > 1 and (_own_anchors([items[at][0] for at in shared])
                                or _different_stories({items[at][1:] for at in shared}) >= 3):
            for at in shared:
                keys[at] = None
    return keys


def _article_key(url: str | None) -> str | None:
    """The canonical link, unless it is a site's home page ("https://host/")."""
    key = canonical_url(url)
    return None if key and key.endswith("/") and key.count("/") == 3 else key


def _own_anchors(urls: list[str]) -> bool:
    """Whether each of these links has an anchor, none the same."""
    anchors = [urlsplit(url.strip()).fragment for url in urls]
    return all(anchors) and len(set(anchors)) == len(anchors)


def _guids_of_several_links(entries: list[Entry], url_keys: list[str | None]) -> set[str]:
    """Guids that three or more items with other links and other titles share. Two may be
    one story listed twice, and the first is kept; three different stories under one guid
    are a CMS that gives every item the same one (the site's address)."""
    stories: dict[str, set[tuple[str, str]]] = {}
    for entry, url_key in zip(entries, url_keys):
        if url_key and entry.guid and entry.guid.strip():
            stories.setdefault(entry.guid.strip(), set()).add((url_key, entry.title))
    return {guid for guid, told in stories.items() if _different_stories(told) >= 3}


def _different_stories(stories: set[tuple[str, str]]) -> int:
    """How many of these (key, title) pairs differ from each other in both."""
    keys = {key for key, _ in stories}
    titles = {title for _, title in stories}
    return min(len(keys), len(titles))


def _keyed(entry: Entry, guid: str, url_key: str | None) -> KeyedEntry:
    try:
        content = entry.content_html.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a JSON escape): hashed as ever
        return KeyedEntry(entry, guid, url_key, content_hash(entry.title, entry.content_html),
                          entry.content_html)
    return KeyedEntry(entry, guid, url_key, _hash(entry.title, content), content)


def reads_the_same(title: str, other: str) -> bool:
    """Whether two titles read the same once HTML's tags and character references in them
    are read, white space aside ("Tom &amp; Jerry" and "Tom & Jerry"; "一<br>二", "一二"
    and "一 二": older versions read a title's line break as nothing)."""
    return _title_text(title) == _title_text(other)


def _title_text(title: str) -> str:
    return "".join(html.unescape(_TAG_IN_TITLE.sub("", title)).split())


def titled_as_posted(posted: str, entry: Entry) -> bool:
    """Whether the title of a post an export wrote is ``entry``'s: the same, the same as
    an older newsvault read it (tags and references in it, the control characters it kept
    for "&#146;" and the export dropped), or, for an item without a title, the start of its
    text, as the export titles it."""
    if posted == entry.title or reads_the_same(posted, entry.title):
        return True
    # imported here: the fetching process imports the store, and must not load the parsers
    from newsvault.feeds.text import C1_READINGS
    from newsvault.search.text import plain_text
    from newsvault.titles import shown_title

    if not entry.title.strip():
        return posted == shown_title("", plain_text(entry.content_html), "")
    return posted == "".join(char for char in entry.title if char not in C1_READINGS)


def read_as_now(title: str, content_html: str, entry: Entry) -> bool:
    """Whether a stored title and content are ``entry``'s as an older newsvault read them:
    with the C1 controls it kept for "&#146;" and the like, where ``entry`` has the
    characters HTML reads (’); with the Big5 punctuation its HKSCS reading got wrong (•
    for ‧); without the text it did not read (a YouTube video's description), or with its
    lines run together (read as markup, not as the plain text it is); with the prefix it
    kept on an Atom entry's XHTML (``<xhtml:p>``); or as HTML where it was text that names
    a tag (an Atom "How to use the &lt;p&gt; element"). A version with no text is no
    earlier version worth keeping."""
    if (title, content_html) == (entry.title, entry.content_html):
        return False
    # imported here: the fetching process imports the store, and must not load the parsers
    from newsvault.feeds.encoding import big5_punctuation_as_cp950_reads_it
    from newsvault.feeds.text import c1_as_html_reads_it, text_to_html

    if title == entry.title and (not (content_html and content_html.strip())
                                 or _unprefixed_tags(content_html) == entry.content_html
                                 or text_to_html(_text_of(content_html)) == entry.content_html):
        return True

    return any(read(title) == entry.title and read(content_html) == entry.content_html
               for read in (c1_as_html_reads_it, big5_punctuation_as_cp950_reads_it))


def _text_of(stored: str) -> str:
    """What an older newsvault stored of a text: markup without a tag (a video's
    description) unescaped; with tags, as it is (text that names a tag, read as HTML)."""
    return stored if "<" in stored else html.unescape(stored)


def _unprefixed_tags(markup: str) -> str:
    return _TAG_PREFIX.sub(r"<\1", markup) if ":" in markup else markup


def same_but_for_white_space(markup: str, other: str) -> bool:
    """Whether two versions of an article's HTML differ only in white space around tags
    or in how long a run of it is."""
    return _white_space_key(markup) == _white_space_key(other)


def _white_space_key(markup: str) -> str:
    return _SPACES.sub(" ", _SPACES_AT_TAGS.sub(r"\1", markup)).strip()


def reads_as_imported(fetched_html: str, imported_html: str, summary: bool = False) -> bool:
    """Whether a feed's content is the version an imported post was made from: the same
    visible text, white space aside, or, when the item's article page is fetched (a
    ``summary``, or a source that always wants its pages), a part of it. An imported post
    holds the feed's HTML as an earlier export wrote it (lines stripped and joined by the
    old system; cleaned, images relinked, or the article's whole page by newsvault), never
    byte for byte: only the text survives. A whole article that lost its last paragraph
    is an edit."""
    imported = _text_key(imported_html)
    if not summary:
        return _text_key(fetched_html) == imported
    # a summary's closing "……" or "阅读全文" is the feed's, never in the page's text
    from newsvault.content.summary import without_cut_off_mark

    return _text_key(fetched_html, without_cut_off_mark) in imported


def _text_key(html: str, trimmed=lambda text: text) -> str:
    # the text search indexes (scripts and styles aside); imported here, as every command
    # imports the store and few ever compare an imported post
    from newsvault.search.text import plain_text

    return "".join(trimmed(plain_text(html)).split())
