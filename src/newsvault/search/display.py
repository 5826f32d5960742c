"""Search hits on a terminal: the matches in bold colour (plain text when piped)."""

from typing import TextIO

import click
from rich.console import Console
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


def print_hits(hits: list[SearchHit], stream: TextIO | None = None) -> None:
    """The hits on ``stream`` (stdout): styled on a terminal, else plain text."""
    stream = stream or click.get_text_stream("stdout")
    text = hits_text(hits)
    if stream.isatty():
        Console(file=stream, highlight=False, soft_wrap=True).print(text)
    else:
        click.echo(text.plain, file=stream)
