"""RSS 1.0 and 0.90 (RDF), adapted with the RSS item reader: items are the channel's
siblings, an item without a guid is known by its ``rdf:about``, and titles are text
(the spec's, unlike RSS 2.0's HTML in practice)."""

from newsvault.feeds.namespaces import RDF
from newsvault.feeds.rss import channel_title_and_link, find_channel, is_item, read_item
from newsvault.feeds.text import plain_title, trimmed
from newsvault.feeds.xml import XmlDocument, resolve_base
from newsvault.model import ParsedFeed

RDF_ROOT = RDF + "RDF"
_ABOUT = RDF + "about"


def parse_rdf(doc: XmlDocument, url: str) -> ParsedFeed:
    root = doc.root
    base = resolve_base(root, url)
    channel = find_channel(root)
    channel_base = resolve_base(channel, base) if channel is not None else base
    title, site_url = channel_title_and_link(doc, channel, channel_base, plain_title)
    entries = [
        read_item(doc, item, resolve_base(item, base), plain_title,
                  fallback_guid=trimmed(item.get(_ABOUT)))
        for item in root if is_item(item)
    ]
    return ParsedFeed(format="rdf", entries=entries, title=title, site_url=site_url)
