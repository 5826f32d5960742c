"""Feeds the end-to-end tests serve."""


def numbered_feed(feed: int, items: int = 50, words: int = 300,
                  host: str = "killed.example.com") -> bytes:
    """Feed number ``feed``: ``items`` items, each of about ``words`` × 2 characters."""
    entries = "".join(
        f"<item><title>第 {feed} 源第 {n} 条</title>"
        f"<link>https://{host}/{feed}/{n}</link><guid>k-{feed}-{n}</guid>"
        f"<pubDate>Wed, 26 Jan 2022 {n % 24:02d}:{feed % 60:02d}:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{'正文' * words} {feed}-{n}</p>]]></description></item>"
        for n in range(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>源 {feed}</title>{entries}</channel></rss>").encode("utf-8")
