"""Full-text search over the archive: SQLite FTS5, Chinese-aware, Traditional = Simplified.

``search_articles`` answers a query (``newsvault search``, the site's /api/search);
``update_index`` brings the index up to date (fetch, run and import call it).
"""

_EXPORTS = {"IndexReport": "indexer", "update_index": "indexer",
            "SearchHit": "query", "search_articles": "query"}


def __getattr__(name: str):
    """The exports, imported on first use: the site's build needs the indexer, not the
    query side (snippets, query parsing)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)


__all__ = ["IndexReport", "SearchHit", "search_articles", "update_index"]
