"""Article HTML made safe to display: one allowlist, applied by nh3 (ammonia).

``clean_html(html, base_url)`` keeps text structure, links, images, figures, tables,
YouTube embeds and audio and video players, and drops everything else: scripts, styles, event handlers, forms, frames
from elsewhere, ``javascript:``/``vbscript:``/``data:`` URLs in any spelling. Its output is
balanced HTML whose every URL is absolute http(s) (links may also be mailto:), but for
the links to stored images a Jekyll export wrote (``{{ site.baseurl }}/assets/media/…``),
kept as they are for the site to make relative.

nh3 does the parsing (html5ever, as a browser parses), the allowlist and the serializing.
Two small passes do what an allowlist cannot express:

- ``_filter_attribute`` (nh3's callback, called for every allowed attribute) resolves URLs
  against the article's address and rejects those not http(s), iframes from elsewhere and
  known tracking beacons; a ``srcset`` becomes its largest candidate.
- ``_finish_media`` rewrites nh3's output, which is canonical (attributes always double
  quoted, ``<`` and ``>`` escaped in values), so that a regular expression reads its tags
  exactly: a lazy image's real address becomes its ``src``, images without one and
  tracking pixels go, iframes without an allowed ``src`` go, with their fallback text; an
  ``<audio>`` or ``<video>`` keeps only its http(s) ``src`` (as each ``<source>`` in it
  does) and gets ``controls`` and ``preload="none"``: nothing plays, nothing is loaded,
  before the reader asks; a ``<source>`` without a ``src`` goes.

Pure: no I/O. ``SANITIZER_VERSION`` names the rules; stored clean HTML made by other rules
is made again.
"""

import re
import threading
from html import unescape
from urllib.parse import urljoin, urlsplit

import nh3

from newsvault.content.assets import JEKYLL_IMAGE_LINK

# Bump when the rules below change: every stored clean HTML is then made again.
RULES_VERSION = 3
SANITIZER_VERSION = f"{RULES_VERSION} nh3-{nh3.__version__}"

_TEXT_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "section", "article",
    "header", "footer", "aside", "main", "address", "blockquote", "q", "cite", "pre", "code",
    "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s", "strike", "del", "ins", "mark",
    "small", "sub", "sup", "abbr", "dfn", "time", "ruby", "rt", "rp", "bdi", "bdo", "wbr",
    "ul", "ol", "li", "dl", "dt", "dd", "details", "summary",
}
_MEDIA_TAGS = {"a", "img", "figure", "figcaption", "iframe", "audio", "video", "source"}
_TABLE_TAGS = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup",
               "col"}
ALLOWED_TAGS = frozenset(_TEXT_TAGS | _MEDIA_TAGS | _TABLE_TAGS)

# dropped with everything inside (other tags not allowed are dropped, their text kept);
# <noscript> holds a second copy of a lazy image, which gets its real src here instead
_DROPPED_WITH_CONTENT = {"script", "style", "noscript", "template", "textarea", "select",
                         "svg", "math", "object", "applet", "title", "head"}

LAZY_IMAGE_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-srcset",
                         "data-lazy-srcset")
_SRCSET_ATTRIBUTES = frozenset(("srcset", "data-srcset", "data-lazy-srcset"))
_URL_ATTRIBUTES = frozenset(("href", "src", *LAZY_IMAGE_ATTRIBUTES, *_SRCSET_ATTRIBUTES))
_ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "srcset", *LAZY_IMAGE_ATTRIBUTES},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    # controls and preload="none" are added, whatever the input said (no autoplay)
    "audio": {"src"},
    "video": {"src"},
    "source": {"src"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
}
# added by _finish_media (nh3 would add them where the input had them, and a second clean
# would move them: clean output must be the same when cleaned again)
_ADDED_ATTRIBUTES = {
    # image hosts that refuse hot-linking by the Referer header load for no referrer
    "img": ' loading="lazy" referrerpolicy="no-referrer"',
    # a YouTube player needs its scripts (in its own origin); nothing more
    "iframe": ' sandbox="allow-scripts allow-same-origin allow-presentation"'
              ' referrerpolicy="strict-origin-when-cross-origin" loading="lazy"',
    "player": ' controls preload="none"',
}
LINK_REL = "noopener noreferrer nofollow"

_WEB = frozenset(("http", "https"))
_LINK_SCHEMES = frozenset(("http", "https", "mailto"))
VIDEO_HOSTS = frozenset(("www.youtube.com", "youtube.com", "m.youtube.com",
                         "www.youtube-nocookie.com", "youtube-nocookie.com"))

# Known beacons: (host or its parent domain, path prefix). Feedburner's item pixel is the
# one most feeds carry.
_BEACONS = (
    ("feeds.feedburner.com", "/~r/"), ("feedproxy.google.com", "/~r/"),
    ("pixel.wp.com", "/"), ("stats.wordpress.com", "/"), ("google-analytics.com", "/"),
    ("doubleclick.net", "/"), ("scorecardresearch.com", "/"), ("quantserve.com", "/"),
    ("feedsportal.com", "/"), ("facebook.com", "/tr"), ("pixel.facebook.com", "/"),
    ("analytics.twitter.com", "/"), ("bat.bing.com", "/"), ("pixel.mathtag.com", "/"),
)
_BEACON_DOMAINS = tuple(domain for domain, _ in _BEACONS)
_PIXEL_MAX = 1  # px: an image this small both ways, or 0 either way, shows nothing

# WHATWG URL parsing drops these before it reads a URL
_URL_STRIP = "".join(map(chr, range(0x21)))
_URL_TABS = re.compile("[\t\n\r]")
# http(s) with a host (group 1): what every URL kept here must be, but for mailto: links
_ABSOLUTE_WEB = re.compile(r"https?://(?:[^/?#@]*@)?([^/?#:@]+)", re.I)
# the host of an http(s) URL, for the video and beacon lists: none where a browser might
# read another one (a user part, a backslash: "https://evil\\@www.youtube.com/" is evil's)
_PLAIN_HOST = re.compile(r"https?://([^/?#:@\\]+)(?::[0-9]*)?(?=[/?#]|$)", re.I)


class _Base(threading.local):
    url: str | None = None  # the article's address, for the callback of the running clean
    origin: str = ""  # its scheme://host[:port], for "/path" links


_base = _Base()


def clean_html(html: str, base_url: str | None = None) -> str:
    """``html`` with only what the allowlist keeps; relative URLs resolved against
    ``base_url`` (the article's address; dropped without one)."""
    if not html:
        return ""
    _base.url = base_url if base_url and _scheme(base_url) in _WEB else None
    _base.origin = _origin(_base.url)
    try:
        cleaned = _CLEANER.clean(html)
    finally:
        _base.url, _base.origin = None, ""
    if "<img" in cleaned or "<iframe" in cleaned or "<audio" in cleaned \
            or "<video" in cleaned or "<source" in cleaned:
        cleaned = _finish_media(cleaned)
    return cleaned


def image_urls(clean: str) -> list[str]:
    """The ``src`` of each image in ``clean_html``'s output, in order, each once."""
    found = dict.fromkeys(unescape(match.group(1)) for match in _IMG_SRC.finditer(clean))
    return list(found)


# -- the attribute callback ---------------------------------------------------------------

def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if tag not in ALLOWED_TAGS:  # nh3 asks before it drops the element: say no, cheaply
        return None
    if name in _URL_ATTRIBUTES:
        try:
            return _allowed_url(tag, name, value)
        except ValueError:  # urllib's, e.g. for "http://[" (a broken IPv6 address)
            return None
    return value


def _allowed_url(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and JEKYLL_IMAGE_LINK.fullmatch(value):
        return value
    if name in _SRCSET_ATTRIBUTES:
        value = _largest_candidate(value)
    url = _absolute(value, _LINK_SCHEMES if tag == "a" else _WEB)
    if url is None or tag == "img" and _is_beacon(url):
        return None
    if tag == "iframe" and not _is_video_embed(url):
        return None
    return url


def _absolute(value: str, schemes: frozenset[str]) -> str | None:
    """``value`` as an absolute URL with one of ``schemes``, or None."""
    value = value.strip(_URL_STRIP)
    if "\t" in value or "\n" in value or "\r" in value:
        value = _URL_TABS.sub("", value)
    if _ABSOLUTE_WEB.match(value):  # most are: no need to parse them
        return value
    if not value:
        return None
    url = _joined(value, _base.url, _base.origin)
    scheme = _scheme(url)
    if scheme not in schemes:
        return None
    if scheme in _WEB and not _ABSOLUTE_WEB.match(url):
        return None
    return url


def _joined(value: str, base: str | None, origin: str) -> str:
    """``urljoin(base, value)``, without parsing either for the usual "/path" link."""
    if not base:
        return value
    if origin and _is_plain_root_path(value):
        return origin + value
    return urljoin(base, value)


def _is_plain_root_path(value: str) -> bool:
    """Whether urljoin would put ``value`` after the base's origin as it is: a path from the
    root (not "//host") without "." or ".." segments or ";" parameters, and no empty query
    or fragment (urljoin drops those)."""
    if value[:1] != "/" or value[1:2] == "/":
        return False
    rest, hash_mark, fragment = value.partition("#")
    path, question_mark, query = rest.partition("?")
    return "/." not in path and ";" not in path and not (hash_mark and not fragment) \
        and not (question_mark and not query)


def _origin(base: str | None) -> str:
    """The base's scheme://host[:port] as urljoin writes it; "" where it has none."""
    if not base:
        return ""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def _scheme(url: str) -> str:
    head, colon, _ = url.partition(":")
    return head.lower() if colon else ""


def _host(url: str) -> str:
    match = _PLAIN_HOST.match(url)
    return match.group(1).lower() if match and "\\" not in url else ""


def _is_video_embed(url: str) -> bool:
    return _host(url) in VIDEO_HOSTS and urlsplit(url).path.startswith("/embed/")


def _is_beacon(url: str) -> bool:
    host = _host(url)
    if not host.endswith(_BEACON_DOMAINS):
        return False
    path = urlsplit(url).path
    return any((host == domain or host.endswith("." + domain)) and path.startswith(prefix)
               for domain, prefix in _BEACONS)


_SRCSET_URL = re.compile(r"[\s,]*(\S+)")


def _largest_candidate(srcset: str) -> str:
    """The URL of a srcset's widest (or densest) candidate. As browsers read it: a URL is
    a run of non-spaces (commas inside it too); descriptors follow, up to a comma."""
    best, best_size, position = "", -1.0, 0
    while match := _SRCSET_URL.match(srcset, position):
        url, position, descriptor = match.group(1), match.end(), ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = srcset.find(",", position)
            end = comma if comma >= 0 else len(srcset)
            descriptor, position = srcset[position:end].strip(), end + 1
        size = _descriptor_size(descriptor)
        if url and size > best_size:
            best, best_size = url, size
    return best


def _descriptor_size(descriptor: str) -> float:
    if descriptor[-1:] in ("w", "x"):
        try:
            return float(descriptor[:-1])
        except ValueError:
            pass
    return 1.0


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=set(_LINK_SCHEMES),
)


# -- images and iframes in nh3's output ---------------------------------------------------

# nh3's output: a tag's attributes are name="value" with no raw < > " inside a value,
# and an iframe holds only text
_MEDIA = re.compile(r'<img\b([^>]*)>|<iframe\b([^>]*)>(.*?)</iframe>'
                    r'|<(audio|video)\b([^>]*)>|<source\b([^>]*)>', re.S)
_ATTRIBUTE = re.compile(r'([^\s="]+)(?:="([^"]*)")?')
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')
_IMAGE_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-srcset",
                  "data-lazy-srcset", "src", "srcset")  # the first one present wins
_REPLACED = frozenset(_IMAGE_SOURCES)


def _finish_media(html: str) -> str:
    return _MEDIA.sub(_finish_tag, html)


def _finish_tag(match: re.Match) -> str:
    if match.group(1) is not None:
        return _finish_image(dict(_ATTRIBUTE.findall(match.group(1))))
    if match.group(4) is not None:
        return f"<{match.group(4)}{_ADDED_ATTRIBUTES['player']}{match.group(5)}>"
    if match.group(6) is not None:
        return match.group(0) if ' src="' in match.group(6) else ""
    attributes = match.group(2)
    if ' src="' not in attributes:
        return ""
    # its fallback text shows nowhere: dropped
    return f"<iframe{attributes}{_ADDED_ATTRIBUTES['iframe']}></iframe>"


def _finish_image(attributes: dict[str, str]) -> str:
    src = next((attributes[name] for name in _IMAGE_SOURCES if attributes.get(name)), None)
    if src is None or _is_pixel(attributes.get("width"), attributes.get("height")):
        return ""
    return f'<img src="{src}"{_kept(attributes, _REPLACED)}{_ADDED_ATTRIBUTES["img"]}>'


def _kept(attributes: dict[str, str], left_out: frozenset[str]) -> str:
    return "".join(f' {name}="{value}"' for name, value in attributes.items()
                   if name not in left_out)


_LEADING_NUMBER = re.compile(r"\s*(\d+)")


def _is_pixel(width: str | None, height: str | None) -> bool:
    sizes = [_pixels(width), _pixels(height)]
    if 0 in sizes:
        return True
    return all(size is not None and size <= _PIXEL_MAX for size in sizes)


def _pixels(value: str | None) -> int | None:
    match = _LEADING_NUMBER.match(value or "")
    return int(match.group(1)) if match else None
