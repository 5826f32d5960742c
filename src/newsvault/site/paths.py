"""Where every page of the site lives, and how one page links to another.

Article permalinks are the old Jekyll site's ``/:year-:month-:day/:slug/``: the day is the
post's date as Jekyll read it (the front matter's own date for imported posts, the file
name's for the ones newsvault named), the slug is Jekyll's default slugify of the file
name after the date (letters, marks and decimal digits kept, every other run of characters
one hyphen, lower case). Pages are ``index.html`` files in those folders.

Links between pages are relative and name the ``index.html`` file itself, so the folder
reads the same from a web server, under any sub-path, and straight from disk (file://).
"""

import re
from urllib.parse import quote

from newsvault.slugs import name_day, post_slug, slugify  # noqa: F401 - the site's names

PER_PAGE = 50
INDEX = "index.html"
# a folder name is at most 255 bytes; a post's slug is at most 241 (its file name less the
# day and ".md"), so no permalink changes, and "-2", "-3"… still fit after it
MAX_FOLDER_BYTES = 241

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# names Windows gives its devices, with any extension: no folder can have them there
_WINDOWS_DEVICES = frozenset(["con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                              *(f"lpt{n}" for n in range(1, 10))])


def article_dir(day: str, slug: str) -> str:
    return f"{day if is_day(day) else 'undated'}/{folder_name(slug)}/"


def is_day(text: str) -> bool:
    """Whether ``text`` is a day as YYYY-MM-DD."""
    return bool(_DAY.match(text))


def folder_name(slug: str) -> str:
    """``slug`` as a folder's name: "-1" added to a Windows device name (con, nul.txt…),
    which Windows cannot create or check out; cut to ``MAX_FOLDER_BYTES`` of UTF-8 (a
    source or tag named by a long feed title would be no folder at all)."""
    if len(slug) * 4 > MAX_FOLDER_BYTES:  # else surely short enough: no need to encode
        slug = slug.encode("utf-8")[:MAX_FOLDER_BYTES].decode("utf-8", "ignore").rstrip("-")
    stem = slug.split(".", 1)[0].rstrip(" ").lower()
    return f"{slug}-1" if stem in _WINDOWS_DEVICES else slug


def unique_dirs(wanted: list[tuple[int, str]]) -> dict[int, str]:
    """(number, wanted folder) → a folder each; on a clash the lowest number keeps the
    folder and the others get ``-2``, ``-3``… (Jekyll would write both to one URL)."""
    given: dict[int, str] = {}
    taken: set[str] = set()
    for article_id, folder in sorted(wanted):
        candidate, number = folder, 2
        while candidate in taken:
            candidate = f"{folder[:-1]}-{number}/"
            number += 1
        taken.add(candidate)
        given[article_id] = candidate
    return given


def url_path(path: str) -> str:
    """A site path in an absolute URL (sitemap, canonical links): percent-encoded UTF-8.
    Relative links keep the characters as they are: paths hold only letters, digits and
    hyphens (slugs), which HTML takes as they are, and encoding them costs."""
    return path if path.isascii() else quote(path, safe="/-._~")


def root_of(path: str) -> str:
    """The relative way from the page at ``path`` back to the site's root folder."""
    return "../" * path.count("/")


# -- list pages ----------------------------------------------------------------------------
# Numbered pages are counted from the oldest article and hold exactly PER_PAGE articles
# each, so a new newest article changes only the first page (the newest PER_PAGE) and,
# once in PER_PAGE articles, adds a page; an article dated before others shifts the
# numbered pages after it.


def full_pages(count: int) -> int:
    return count // PER_PAGE


def page_range(number: int) -> range:
    """Positions (0 = the oldest) on numbered page ``number`` (1 = the oldest page)."""
    return range((number - 1) * PER_PAGE, number * PER_PAGE)


def first_page_range(count: int) -> range:
    """The newest PER_PAGE positions: the first page of a list."""
    return range(max(count - PER_PAGE, 0), count)


def older_than_first(count: int) -> int | None:
    """The numbered page holding the article just older than the first page's last one."""
    if count <= PER_PAGE:
        return None
    return (count - PER_PAGE - 1) // PER_PAGE + 1


def list_page_path(folder: str, number: int | None) -> str:
    """``folder`` is "" for the home page, else e.g. "source/bbc/"; None: its first page."""
    if number is None:
        return f"{folder}{INDEX}"
    return f"{folder}page/{number}/{INDEX}"


def newer_page(number: int, count: int) -> int | None:
    """The page after ``number`` towards the newest; None: the first page."""
    return number + 1 if number < full_pages(count) else None
