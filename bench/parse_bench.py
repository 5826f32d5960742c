"""Feed parser throughput: items/s and MB/s, strict path and lenient path.

Builds a feed set in memory: 200 RSS + 150 Atom + 150 JSON feeds x 20 items with ~15 KB
of HTML each (generated Chinese text; or, when ../shared/corpus/oped2-posts.tar.xz exists
beside the repo, post bodies read from it at run time). Then it times:

- strict: well-formed feeds, as most sources are;
- lenient: the same XML feeds each broken by a bare "&" in one title, so every parse
  pays a failed strict attempt, the repair, and libxml2's recovery;
- gb18030: the RSS feeds encoded as GB18030, which are decoded and re-encoded to UTF-8;
- feedparser on a subset, when it is importable (it is no dependency of newsvault).

Times are CPU time of this process (one core), best of ``--repeat`` runs, so that other work
on the machine disturbs them less.

Usage: python bench/parse_bench.py [--feeds-scale 1.0] [--repeat 3] [--no-corpus] [--no-feedparser]
"""

import argparse
import json
import random
import re
import sys
import tarfile
import time
from contextlib import contextmanager
from html import escape
from pathlib import Path

from newsvault.feeds import parse_feed

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "oped2-posts.tar.xz"
ITEMS_PER_FEED = 20
CONTENT_BYTES = 15_000
# Common characters, so the generated text has the byte profile of real Chinese news.
HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
         "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
         "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
         "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
         "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
         "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PUNCTUATION = "，，，。、；：“”"


def main() -> None:
    options = _arguments()
    bodies = _corpus_bodies() if not options.no_corpus else []
    source = f"corpus ({len(bodies)} post bodies)" if bodies else "generated text"
    rng = random.Random(20240101)
    counts = {kind: max(1, round(n * options.feeds_scale)) for kind, n in
              (("rss", 200), ("atom", 150), ("json", 150))}
    if not bodies:
        bodies = [_generated_html(rng) for _ in range(min(300, sum(counts.values()) * ITEMS_PER_FEED))]
    feeds = _feed_set(counts, bodies, rng)
    total_items = sum(ITEMS_PER_FEED for _ in feeds)
    total_mb = sum(len(body) for _, body in feeds) / 1e6
    print(f"content: {source}; {len(feeds)} feeds, {total_items} items, {total_mb:.1f} MB "
          f"({counts['rss']} RSS, {counts['atom']} Atom, {counts['json']} JSON)")
    print(f"python {sys.version.split()[0]}, best of {options.repeat} runs, one core\n")

    _report("strict, all formats", feeds, options.repeat, expect_recovered=False)
    for kind in ("rss", "atom", "json"):
        _report(f"strict, {kind} only", [f for f in feeds if f[0] == kind], options.repeat,
                expect_recovered=False)
    with _without_orjson():
        _report("strict, json only, stdlib json", [f for f in feeds if f[0] == "json"],
                options.repeat, expect_recovered=False)
    broken = [(kind, _broken(body)) for kind, body in feeds if kind != "json"]
    _report("lenient, RSS + Atom (bare &)", broken, options.repeat, expect_recovered=True)
    gb = [("rss", body.decode("utf-8").replace('encoding="UTF-8"', 'encoding="GB18030"')
           .encode("gb18030", errors="replace")) for kind, body in feeds if kind == "rss"]
    _report("strict, RSS in GB18030", gb, options.repeat, expect_recovered=False)
    if not options.no_feedparser:
        _feedparser_report(feeds, options.repeat)


@contextmanager
def _without_orjson():
    """The JSON Feed parser as it was before orjson: the standard library's json (what
    newsvault falls back to for what orjson refuses), for the line that compares them."""
    import orjson

    def refuse(data):
        raise orjson.JSONDecodeError("refused for the comparison", "", 0)

    loads, orjson.loads = orjson.loads, refuse
    try:
        yield
    finally:
        orjson.loads = loads


def _report(label: str, feeds, repeat: int, expect_recovered: bool) -> None:
    megabytes = sum(len(body) for _, body in feeds) / 1e6
    best = float("inf")
    items = 0
    for _ in range(repeat):
        started = time.process_time()
        items = 0
        for kind, body in feeds:
            parsed = parse_feed(body, url="https://bench.example.com/feed",
                                content_type=_content_type(kind))
            items += len(parsed.entries)
            if parsed.recovered is not expect_recovered:
                raise SystemExit(f"{label}: recovered={parsed.recovered}, expected the other")
        best = min(best, time.process_time() - started)
    print(f"{label:34} {items / best:>10,.0f} items/s {megabytes / best:>8,.1f} MB/s"
          f"   ({items} items, {megabytes:.1f} MB in {best:.2f} s)")


def _feedparser_report(feeds, repeat: int) -> None:
    try:
        import feedparser
    except ImportError:
        print("feedparser: not installed, skipped (pip install feedparser to compare)")
        return
    subset = [f for f in feeds if f[0] == "rss"][:10] + [f for f in feeds if f[0] == "atom"][:10]
    best, items = float("inf"), 0
    for _ in range(max(1, repeat // 2)):
        started = time.process_time()
        items = sum(len(feedparser.parse(body).entries) for _, body in subset)
        best = min(best, time.process_time() - started)
    megabytes = sum(len(body) for _, body in subset) / 1e6
    print(f"{'feedparser ' + feedparser.__version__ + ', RSS + Atom subset':34} "
          f"{items / best:>10,.0f} items/s {megabytes / best:>8,.1f} MB/s"
          f"   ({items} items, {megabytes:.1f} MB in {best:.2f} s)")


def _feed_set(counts: dict, bodies: list[str], rng: random.Random) -> list[tuple[str, bytes]]:
    builders = {"rss": _rss, "atom": _atom, "json": _json_feed}
    feeds, next_body = [], 0
    for kind, count in counts.items():
        for number in range(count):
            items = []
            for index in range(ITEMS_PER_FEED):
                items.append(_item(number, index, bodies[next_body % len(bodies)], rng))
                next_body += 1
            feeds.append((kind, builders[kind](number, items)))
    return feeds


def _item(feed: int, index: int, body: str, rng: random.Random) -> dict:
    return {
        "title": _sentence(rng, 8, 24),
        "url": f"https://site{feed}.example.com/{2024 - index % 3}/{feed * 100 + index}.html",
        "day": 1 + index % 28,
        "summary": _sentence(rng, 40, 90),
        "html": body,
    }


def _rss(number: int, items: list[dict]) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
             f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
             f'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
             f"<title>新闻源 {number}</title>\n<link>https://site{number}.example.com/</link>\n"
             f"<description>基准测试</description>\n"]
    for item in items:
        parts.append(
            f"<item>\n<title>{escape(item['title'])}</title>\n<link>{item['url']}</link>\n"
            f"<guid isPermaLink=\"true\">{item['url']}</guid>\n"
            f"<pubDate>Mon, {item['day']:02d} Jan 2024 08:30:00 +0800</pubDate>\n"
            f"<dc:creator>记者</dc:creator>\n<category>国际</category><category>评论</category>\n"
            f"<description><![CDATA[{item['summary']}]]></description>\n"
            f"<content:encoded><![CDATA[{_cdata_safe(item['html'])}]]></content:encoded>\n</item>\n")
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def _atom(number: int, items: list[dict]) -> bytes:
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
             f"<title>Atom 源 {number}</title>\n<link href=\"https://site{number}.example.com/\"/>\n"
             f"<id>urn:bench:{number}</id>\n<updated>2024-01-31T00:00:00Z</updated>\n"
             f"<author><name>编辑</name></author>\n"]
    for position, item in enumerate(items):
        # Half the entries escape their HTML, half wrap it in CDATA, as real Atom feeds do.
        content = (escape(item["html"], quote=False) if position % 2
                   else f"<![CDATA[{_cdata_safe(item['html'])}]]>")
        parts.append(
            f"<entry>\n<title type=\"html\">{escape(item['title'])}</title>\n"
            f"<link rel=\"alternate\" type=\"text/html\" href=\"{item['url']}\"/>\n"
            f"<id>{item['url']}</id>\n<published>2024-01-{item['day']:02d}T08:30:00+08:00</published>\n"
            f"<updated>2024-01-{item['day']:02d}T09:00:00+08:00</updated>\n"
            f"<category term=\"国际\"/>\n<summary>{escape(item['summary'])}</summary>\n"
            f"<content type=\"html\">{content}</content>\n</entry>\n")
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


def _json_feed(number: int, items: list[dict]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"JSON 源 {number}",
        "home_page_url": f"https://site{number}.example.com/",
        "items": [{
            "id": item["url"], "url": item["url"], "title": item["title"],
            "content_html": item["html"], "summary": item["summary"],
            "date_published": f"2024-01-{item['day']:02d}T08:30:00+08:00",
            "authors": [{"name": "记者"}], "tags": ["国际"],
        } for item in items],
    }, ensure_ascii=False).encode("utf-8")


def _broken(body: bytes) -> bytes:
    return body.replace(b"<title>", b"<title>R&D ", 1)


def _content_type(kind: str) -> str:
    return "application/feed+json" if kind == "json" else "application/xml"


def _cdata_safe(html: str) -> str:
    return html.replace("]]>", "]]]]><![CDATA[>")


def _sentence(rng: random.Random, shortest: int, longest: int) -> str:
    length = rng.randint(shortest, longest)
    text = "".join(rng.choice(HANZI) for _ in range(length))
    return text + rng.choice(PUNCTUATION[-4:-2])


def _generated_html(rng: random.Random) -> str:
    parts, size = ['<div class="article">'], 0
    while size < CONTENT_BYTES:
        paragraph = "".join(_sentence(rng, 15, 40) for _ in range(rng.randint(3, 7)))
        if rng.random() < 0.15:
            paragraph += ' <a href="https://example.com/ref?id=1&amp;x=2">Reuters 报道</a>'
        if rng.random() < 0.1:
            parts.append(f'<figure><img src="https://img.example.com/{rng.randint(1, 9999)}.jpg" '
                         f'alt="图片"><figcaption>{_sentence(rng, 10, 20)}</figcaption></figure>')
        parts.append(f"<p>{paragraph}</p>")
        size += len(paragraph.encode("utf-8")) + 7
    parts.append("</div>")
    return "\n".join(parts)


def _corpus_bodies(limit: int = 3000) -> list[str]:
    """Post bodies (front matter dropped) from the shared corpus, read in memory only."""
    if not CORPUS.exists():
        return []
    bodies = []
    with tarfile.open(CORPUS) as archive:
        for member in archive:
            if not member.isfile() or not member.name.endswith(".md"):
                continue
            text = archive.extractfile(member).read().decode("utf-8", errors="replace")
            body = text.split("\n---\n", 1)[1] if text.startswith("---\n") and "\n---\n" in text else text
            if len(body) > 2000:
                clipped = body.encode("utf-8")[:CONTENT_BYTES].decode("utf-8", errors="ignore")
                bodies.append(_XML_ILLEGAL.sub("", clipped))
            if len(bodies) >= limit:
                break
    return bodies


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds-scale", type=float, default=1.0,
                        help="multiply the number of feeds (default 1.0: 500 feeds)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-corpus", action="store_true", help="use generated text only")
    parser.add_argument("--no-feedparser", action="store_true", help="skip the comparison")
    return parser.parse_args()


if __name__ == "__main__":
    main()
