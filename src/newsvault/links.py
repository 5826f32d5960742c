"""Which links newsvault shows or writes out: a feed's link is untrusted input."""


def web_link(url: str | None) -> str:
    """``url`` when it is an http(s) link, else "": a feed's ``javascript:`` or ``data:``
    link must never become one in a page or a post."""
    if not url:
        return ""
    return url if url[:8].lower().startswith(("http://", "https://")) else ""


def shown_url(url: str) -> str:
    """``url`` as newsvault prints it: its password as ``***`` (``https://me:***@host/feed``),
    and a user name without a password too (such a name is often a token)."""
    start = url.find("://") + 3
    if start < 3:
        return url
    ends = [found for found in (url.find(mark, start) for mark in "/?#") if found >= 0]
    end = min(ends, default=len(url))
    at = url.rfind("@", start, end)
    if at < 0:
        return url
    user, colon, _ = url[start:at].partition(":")
    return url[:start] + (f"{user}:***" if colon else "***") + url[at:]
