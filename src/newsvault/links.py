"""Which links newsvault shows or writes out: a feed's link is untrusted input."""


def web_link(url: str | None) -> str:
    """``url`` when it is an http(s) link, else "": a feed's ``javascript:`` or ``data:``
    link must never become one in a page or a post."""
    if not url:
        return ""
    return url if url[:8].lower().startswith(("http://", "https://")) else ""
