"""The HTTP stage: GET a feed within the archive's limits (concurrency, timeouts, size).

``HttpFetcher(settings)`` as an async context manager; ``await fetcher.get(url)`` returns an
:class:`HttpResponse` (200 or 304) or raises a :class:`newsvault.errors.FetchError`.
"""

from newsvault.fetch.client import HttpFetcher
from newsvault.fetch.response import HttpResponse

__all__ = ["HttpFetcher", "HttpResponse"]
