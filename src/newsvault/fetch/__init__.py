"""The HTTP stage: GET a feed within the archive's limits (concurrency, timeouts, size).

``HttpFetcher(settings)`` as an async context manager; ``await fetcher.get(url)`` returns an
:class:`HttpResponse` (200 or 304) or raises a :class:`newsvault.errors.FetchError`.
``await fetcher.get_untrusted(url)`` is the same for a URL found in feed or page content
(article pages, images): behind the SSRF guard (netsafe.py), it raises
:class:`newsvault.errors.BlockedAddressError` for a URL that must not be fetched.
With ``settings.warc`` every response is recorded in WARC files (warc.py).
"""

from newsvault.fetch.client import HttpFetcher
from newsvault.fetch.response import HttpResponse

__all__ = ["HttpFetcher", "HttpResponse"]
