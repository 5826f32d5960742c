"""``newsvault status``: per-source health and archive totals, for people and scripts."""

from newsvault.links import shown_url
from newsvault.store import SqliteStore


def status_report(store: SqliteStore) -> dict:
    sources = []
    pages = store.page_problems()
    for status in store.source_statuses():
        pages_failed, pages_waiting, page_error = pages.get(status.name, (0, 0, None))
        sources.append({
            "name": status.name,
            "url": shown_url(status.url),
            "configured": bool(status.configured),
            "last_fetch_ms": status.last_fetch_ms,
            "last_status": _last_status(status.last_status),
            "last_http_status": status.last_http_status,
            "last_error": status.last_error,
            "articles": status.articles,
            "consecutive_failures": status.consecutive_failures,
            "dead": status.dead,
            "retry_after_ms": status.retry_after_ms,
            "pages_failed": pages_failed,  # article pages (full text) whose fetch failed
            "pages_waiting": pages_waiting,  # queued: tried again on the next fetch
            "last_page_error": page_error,
        })
    media = store.media_totals()
    media["failures"] = [{"url": url, "error": error, "attempts": attempts}
                         for url, error, attempts in store.media_failures()]
    totals = store.totals()
    totals["sources_not_configured"] = sum(not source["configured"] for source in sources)
    return {"sources": sources, "totals": totals, "media": media}


def _last_status(status: str | None) -> str | None:
    # a skipped run (dead, rate limited) reports as the error it stands for
    return "error" if status == "skipped" else status
