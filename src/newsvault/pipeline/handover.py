"""What the fetching process hands the archive's writers (writer.py), and how it starts
them. Kept light: the fetching process never parses a feed, so it does not import the
feed parsers, the store's identity rules and lxml, which only the writers use; its start
is the time to its first request.
"""

from dataclasses import dataclass

from newsvault.model import Source
from newsvault.store.records import FetchRecord

BATCH_LIMIT = 32  # sources per commit at most; a batch is whatever is waiting, up to this
STOP = None  # the mark that ends a writer's inbox, and its outbox
POLL_SECONDS = 0.5


@dataclass(slots=True)
class Fetched:
    """One source's HTTP result, handed from the fetch stage to the writer."""

    source: Source
    record: FetchRecord
    body: bytes | None = None  # a feed to parse; None after a failure or a 304
    url: str = ""
    content_type: str | None = None
    etag: str | None = None  # validators to keep once the body has parsed
    last_modified: str | None = None
    local_zone: str = "UTC"  # the archive's time zone, for dates that name none


def run_writer(*args) -> None:
    """``writer.serve(*args)``: a writer process's or thread's target."""
    from newsvault.pipeline.writer import serve

    serve(*args)
