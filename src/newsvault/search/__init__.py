"""Full-text search over the archive: SQLite FTS5, Chinese-aware, Traditional = Simplified.

``search_articles`` answers a query (``newsvault search``, the site's /api/search);
``update_index`` brings the index up to date (fetch, run and import call it).
"""

from newsvault.search.indexer import IndexReport, update_index
from newsvault.search.query import SearchHit, search_articles

__all__ = ["IndexReport", "SearchHit", "search_articles", "update_index"]
