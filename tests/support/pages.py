"""The fixture pages (tests/content/fixtures/*.html: invented articles in the shapes of real
news sites) and what each must give: ``pages.json`` lists, per page, its title, a feed
summary of it, the source's remove_selectors, the blocks of its article body and strings
of its boilerplate. Used by tests/content, tests/e2e and bench/extract_bench.py."""

import json
from dataclasses import dataclass
from pathlib import Path

import lxml.html

FIXTURES = Path(__file__).parent.parent / "content" / "fixtures"


@dataclass(frozen=True)
class FixturePage:
    name: str
    title: str
    summary: str
    remove_selectors: tuple[str, ...]
    body: tuple[str, ...]
    boilerplate: tuple[str, ...]

    @property
    def html(self) -> bytes:
        return (FIXTURES / f"{self.name}.html").read_bytes()


def fixture_pages() -> list[FixturePage]:
    manifest = json.loads((FIXTURES / "pages.json").read_text(encoding="utf-8"))
    return [FixturePage(name, spec["title"], spec["summary"], tuple(spec["remove_selectors"]),
                        tuple(spec["body"]), tuple(spec["boilerplate"]))
            for name, spec in manifest.items()]


def squashed(text: str) -> str:
    """Without white space: inline tags and line breaks place it differently in the page
    and in the extracted HTML."""
    return "".join(text.split())


def text_of(html: str) -> str:
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


def missing_body(page: FixturePage, html: str) -> list[str]:
    """The blocks of the article's body that are not in ``html``."""
    found = squashed(text_of(html))
    return [block for block in page.body if squashed(block) not in found]


def boilerplate_in(page: FixturePage, html: str) -> list[str]:
    """The page's boilerplate that is in ``html`` (markup included: a script's source)."""
    found = squashed(html)
    return [junk for junk in page.boilerplate if squashed(junk) in found]
