"""What makes two feed items the same article.

Within a source: the item's guid (or, lacking one, its link, or its text).
Across all sources: the canonical link, so a story carried by two feeds, or by
the same feed with tracking parameters, is archived once.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsvault.model import Entry

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "spm")


def canonical_url(url: str | None) -> str | None:
    """The link with what does not change the page removed: fragment, tracking parameters,
    the default port, case in scheme and host."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip()
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.lower().startswith(_TRACKING_PREFIXES)]
    if len(kept) != len(pairs):
        query = urlencode(kept)
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def content_hash(title: str, content_html: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(title.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(content_html.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def entry_guid(entry: Entry) -> str:
    if entry.guid and entry.guid.strip():
        return entry.guid.strip()
    if entry.url:
        return entry.url
    return "hash:" + content_hash(entry.title, entry.content_html)


def unique_entries(entries: list[Entry]) -> list[Entry]:
    """Drop repeats inside one feed (same guid or same canonical link): the first wins."""
    seen_guids, seen_urls, kept = set(), set(), []
    for entry in entries:
        guid, url_key = entry_guid(entry), canonical_url(entry.url)
        if guid in seen_guids or (url_key and url_key in seen_urls):
            continue
        seen_guids.add(guid)
        if url_key:
            seen_urls.add(url_key)
        kept.append(entry)
    return kept
