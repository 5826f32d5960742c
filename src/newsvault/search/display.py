"""Search hits on a terminal: the matches in bold colour (plain text when piped)."""

from rich.text import Text

from newsvault.links import web_link
from newsvault.search.query import SearchHit

MATCH_STYLE = "bold yellow"


def hits_text(hits: list[SearchHit]) -> Text:
    text = Text()
    for number, hit in enumerate(hits, start=1):
        text.append(f"{number}. ")
        text.append(hit.title, style="bold")
        text.append(f"\n   {hit.source} · {hit.published[:10]} · {web_link(hit.url) or '(no link)'}\n   ",
                    style="dim")
        for part, matched in hit.snippet.parts:
            text.append(part, style=MATCH_STYLE if matched else None)
        text.append("\n")
    return text
