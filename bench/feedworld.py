"""The benchmark's world of feeds, built in memory from the shared corpus.

``build_world(posts, feeds=500, items=20)`` makes ``feeds`` feeds of ``items`` full-text items
each, cycling through the corpus posts: about 40 % RSS 2.0 (``content:encoded`` in CDATA,
RFC 822 dates), 30 % Atom 1.0 (``content type="html"``, escaped) and 30 % JSON Feed 1.1
(``content_html``). A few RSS feeds are encoded GBK or Big5 (characters those charsets lack
become character references) to exercise charset decoding. Every item has a distinct guid and
a distinct link (``?feed=N&item=M`` added to the post's URL), so the archive must end with
exactly ``feeds * items`` articles. Bodies are cut (at a tag boundary) by one common fraction
so that the whole world comes to about ``target_bytes`` (190 MB for 500 × 20).

Feed N is served at ``/feeds/N``.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from bench.corpus import CorpusPost

DEFAULT_FEEDS = 500
DEFAULT_ITEMS = 20
FULL_SIZE_BYTES = 190_000_000  # for 500 feeds × 20 items; scaled with feeds × items
SITE = "https://feeds.bench.invalid"
LAST_MODIFIED = "Thu, 27 Jan 2022 09:36:52 GMT"

CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FALLBACK_DATE = datetime(2020, 1, 1, tzinfo=timezone.utc)


@dataclass(slots=True)
class ItemInfo:
    guid: str
    url: str
    title: str  # exactly what a correct parser must archive
    content_hash: str  # blake2b-128 of the content HTML a correct parser must archive


@dataclass(slots=True)
class FeedInfo:
    """One feed without its bytes: what the bench needs to configure and verify."""

    index: int
    path: str
    format: str  # rss | atom | json
    encoding: str  # utf-8 | gbk | big5
    content_type: str
    size: int
    etag: str
    items: list[ItemInfo] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"bench-{self.index:04d}-{self.format}-{self.encoding}"


@dataclass(slots=True)
class Feed:
    info: FeedInfo
    body: bytes


@dataclass(slots=True)
class World:
    feeds: list[Feed]
    fraction: float  # of each body's characters kept

    @property
    def total_bytes(self) -> int:
        return sum(len(feed.body) for feed in self.feeds)

    @property
    def item_count(self) -> int:
        return sum(len(feed.info.items) for feed in self.feeds)

    def infos(self) -> list[FeedInfo]:
        return [feed.info for feed in self.feeds]


def expected_items(feeds: int = DEFAULT_FEEDS, items: int = DEFAULT_ITEMS) -> int:
    return feeds * items


def default_target_bytes(feeds: int = DEFAULT_FEEDS, items: int = DEFAULT_ITEMS) -> int:
    return round(FULL_SIZE_BYTES * feeds * items / (DEFAULT_FEEDS * DEFAULT_ITEMS))


def feed_plan(feeds: int) -> list[tuple[str, str]]:
    """(format, encoding) per feed: 4 RSS, 3 Atom, 3 JSON in every 10; of the RSS feeds,
    the 4th of every 25 is GBK and the 17th Big5 (8 + 8 of 200 RSS feeds at full size)."""
    plan, rss_seen = [], 0
    for index in range(feeds):
        slot = index % 10
        if slot < 4:
            kind = rss_seen % 25
            plan.append(("rss", "gbk" if kind == 3 else "big5" if kind == 16 else "utf-8"))
            rss_seen += 1
        elif slot < 7:
            plan.append(("atom", "utf-8"))
        else:
            plan.append(("json", "utf-8"))
    return plan


# ---------------------------------------------------------------------------------------------
# building


@dataclass(slots=True)
class _Post:
    title: str
    url: str
    author: str
    published: datetime
    body: str
    tags: list[str]


def _clean(text: str) -> str:
    # what an XML parser would hand back: no characters XML forbids, newlines normalised
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _prepare(post: CorpusPost, number: int) -> _Post:
    body = _clean(post.body)
    return _Post(
        title=_clean(post.title).strip(),
        url=(post.url or "").strip() or f"https://corpus.bench.invalid/post/{number}",
        author=_clean(post.author or "").strip(),
        published=_parse_date(post.date),
        body=body,
        tags=[_clean(tag).strip() for tag in post.tags if tag.strip()],
    )


def _parse_date(value: str | None) -> datetime:
    if not value:
        return _FALLBACK_DATE
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return _FALLBACK_DATE
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _cut(body: str, fraction: float) -> str:
    if fraction >= 1.0:
        return body
    end = int(len(body) * fraction)
    tag_end = body.rfind(">", 0, end)
    if tag_end >= end * 0.8:
        end = tag_end + 1
    return body[:end]


def _unique_link(url: str, feed: int, item: int) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = urlsplit(f"https://corpus.bench.invalid/post/{feed}-{item}")
    extra = f"feed={feed}&item={item}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _esc(text).replace('"', "&quot;")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _items_for(index: int, items: int, posts: list[_Post], fraction: float):
    for item in range(items):
        post = posts[(index * items + item) % len(posts)]
        yield (f"urn:newsvault-bench:feed-{index}:item-{item}",
               _unique_link(post.url, index, item), post, _cut(post.body, fraction))


def _build_rss(index: int, encoding: str, entries) -> str:
    legacy = encoding != "utf-8"
    label = {"gbk": "GBK", "big5": "Big5"}.get(encoding, "UTF-8")
    title = f"基准源 {index} ({label})" if legacy else f"Bench feed {index}"
    out = [
        f'<?xml version="1.0" encoding="{label}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel>\n<title>{_esc(title)}</title>\n<link>{SITE}/{index}</link>\n"
        f'<atom:link rel="self" type="application/rss+xml" href="{SITE}/feeds/{index}"/>\n'
        f"<description>newsvault benchmark feed {index}</description>\n<language>zh-cn</language>\n"
        f"<lastBuildDate>{LAST_MODIFIED}</lastBuildDate>\n"
    ]
    for guid, link, post, body in entries:
        out.append(
            f"<item>\n<title>{_esc(post.title)}</title>\n<link>{_esc(link)}</link>\n"
            f'<guid isPermaLink="false">{_esc(guid)}</guid>\n'
            f"<pubDate>{email.utils.format_datetime(post.published)}</pubDate>\n"
            + (f"<dc:creator>{_esc(post.author)}</dc:creator>\n" if post.author else "")
            + "".join(f"<category>{_esc(tag)}</category>\n" for tag in post.tags)
            # CDATA cannot hold character references, so the legacy-charset feeds escape instead
            + f"<content:encoded>{_esc(body) if legacy else _cdata(body)}</content:encoded>\n"
            "</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def _build_atom(index: int, entries) -> str:
    newest = max((post.published for _, _, post, _ in entries), default=_FALLBACK_DATE)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh">\n'
        f"<title>Bench feed {index}</title>\n<id>urn:newsvault-bench:feed-{index}</id>\n"
        f"<updated>{newest.isoformat()}</updated>\n"
        f'<link rel="alternate" href="{SITE}/{index}"/>\n'
        f'<link rel="self" href="{SITE}/feeds/{index}"/>\n'
    ]
    for guid, link, post, body in entries:
        stamp = post.published.isoformat()
        out.append(
            f'<entry>\n<title type="text">{_esc(post.title)}</title>\n<id>{_esc(guid)}</id>\n'
            f'<link rel="alternate" type="text/html" href="{_attr(link)}"/>\n'
            f"<published>{stamp}</published>\n<updated>{stamp}</updated>\n"
            + (f"<author><name>{_esc(post.author)}</name></author>\n" if post.author else "")
            + "".join(f'<category term="{_attr(tag)}"/>\n' for tag in post.tags)
            + f'<content type="html">{_esc(body)}</content>\n</entry>\n'
        )
    out.append("</feed>\n")
    return "".join(out)


def _build_json(index: int, entries) -> str:
    items = []
    for guid, link, post, body in entries:
        item = {"id": guid, "url": link, "title": post.title, "content_html": body,
                "date_published": post.published.isoformat()}
        if post.author:
            item["authors"] = [{"name": post.author}]
        if post.tags:
            item["tags"] = post.tags
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Bench feed {index}",
        "home_page_url": f"{SITE}/{index}",
        "feed_url": f"{SITE}/feeds/{index}",
        "language": "zh",
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def build_feed(index: int, fmt: str, encoding: str, items: int, posts: list[_Post],
               fraction: float) -> Feed:
    entries = list(_items_for(index, items, posts, fraction))
    if fmt == "rss":
        text = _build_rss(index, encoding, entries)
    elif fmt == "atom":
        text = _build_atom(index, entries)
    else:
        text = _build_json(index, entries)
    # Big5 as Windows (cp950) writes it, the commonest producer; labelled "big5"
    codec = {"gbk": "gbk", "big5": "cp950"}.get(encoding, "utf-8")
    body = text.encode(codec, errors="xmlcharrefreplace")
    if fmt == "rss":
        # the GBK feeds say their charset only in the XML declaration; the others in HTTP too
        content_type = CONTENT_TYPES["rss"] + ("" if encoding == "gbk" else f"; charset={encoding}")
    else:
        content_type = CONTENT_TYPES[fmt]
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    info = FeedInfo(
        index=index, path=f"/feeds/{index}", format=fmt, encoding=encoding,
        content_type=content_type, size=len(body), etag=etag,
        items=[ItemInfo(guid=guid, url=link, title=post.title, content_hash=_hash(content))
               for guid, link, post, content in entries],
    )
    return Feed(info=info, body=body)


def build_world(posts: list[CorpusPost], feeds: int = DEFAULT_FEEDS, items: int = DEFAULT_ITEMS,
                target_bytes: int | None = None, log=print) -> World:
    """Build every feed; ``target_bytes`` (default: 190 MB scaled to feeds × items) sets how
    much of each body is kept. ``target_bytes=0`` keeps whole bodies."""
    if not posts:
        raise ValueError("no corpus posts")
    prepared = [_prepare(post, number) for number, post in enumerate(posts)]
    plan = feed_plan(feeds)
    if target_bytes is None:
        target_bytes = default_target_bytes(feeds, items)

    def build(fraction: float, indexes) -> list[Feed]:
        return [build_feed(i, *plan[i], items, prepared, fraction) for i in indexes]

    fraction = 1.0
    if target_bytes:
        sample = [i for i in range(feeds) if i % 7 == 0] or [0]
        scale = feeds / len(sample)
        full = sum(len(f.body) for f in build(1.0, sample)) * scale
        bare = sum(len(f.body) for f in build(0.0, sample)) * scale
        fraction = _fraction(target_bytes, bare, full)
    world = World(feeds=build(fraction, range(feeds)), fraction=fraction)
    if target_bytes and fraction < 1.0 and abs(world.total_bytes - target_bytes) > 0.03 * target_bytes:
        bare_total = bare * (world.total_bytes / (bare + (full - bare) * fraction))
        fraction = _fraction(target_bytes, bare_total, bare_total + (world.total_bytes - bare_total) / fraction)
        world = World(feeds=build(fraction, range(feeds)), fraction=fraction)
    log(f"feedworld: {feeds} feeds × {items} items, {world.total_bytes / 1e6:.1f} MB "
        f"(bodies cut to {fraction:.0%} of their characters)")
    return world


def _fraction(target: float, bare: float, full: float) -> float:
    if full <= bare:
        return 1.0
    return max(0.01, min(1.0, (target - bare) / (full - bare)))


if __name__ == "__main__":
    import sys
    import time
    from collections import Counter

    from bench.corpus import load_posts

    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FEEDS
    started = time.perf_counter()
    built = build_world(load_posts(), feeds=count)
    print(f"built in {time.perf_counter() - started:.1f} s; items {built.item_count}; "
          f"formats {Counter((f.info.format, f.info.encoding) for f in built.feeds)}")
    sizes = Counter()
    for f in built.feeds:
        sizes[f.info.format] += f.info.size
    print({k: f"{v / 1e6:.1f} MB" for k, v in sizes.items()})
