"""The title an article is shown with: a blank title would make an empty link."""

from newsvault.search.text import collapse_spaces

LEAD_CHARS = 30


def shown_title(title: str | None, text: str, untitled: str) -> str:
    """``title`` unless it is blank; then the start of the article's plain ``text``, or
    ``untitled`` when that is blank too. For display only: the archive keeps its title."""
    if title and not title.isspace():
        return title
    lead = collapse_spaces(text)
    if not lead:
        return untitled
    return lead if len(lead) <= LEAD_CHARS else lead[:LEAD_CHARS] + "…"
