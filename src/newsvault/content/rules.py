"""A source's extraction rules and the extractor's error, apart from the extractor itself
(content/extract.py): the fetching process names them at start-up, and importing the
extractor there (lxml.html, cssselect) would delay its first request."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractRules:
    """A source's rules (newsvault.toml): CSS selectors, checked when the file is read."""

    content_selector: str | None = None
    remove_selectors: tuple[str, ...] = ()


class ExtractError(Exception):
    """The page has no article content that could be found."""
