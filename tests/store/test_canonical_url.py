"""canonical_url's shortcut for links that are canonical already must give what parsing
gives, for every link."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsvault.store import identity
from newsvault.store.identity import canonical_url

_PIECES = ["http", "https", "HTTP", "://", "example.com", "Example.COM", "a-b.example", ":80",
           ":443", ":8080", "user@", "/", "/news/2024", "/路径", "?", "?id=7", "&", "utm_source=x",
           "fbclid=1", "#frag", " ", "\t", "\n", "\x0b", "[::1]", "..", "%20", "?a=1?b=2", "//"]


@pytest.mark.parametrize("url", [
    "https://example.com/a", "https://example.com/a?b=1", "https://example.com/a?",
    "https://example.com/a?utm_source=x", "https://example.com/a?b=1&utm_medium=x",
    "https://example.com/a#frag", "https://Example.com/a", "HTTPS://example.com/a",
    "https://example.com:443/a", "https://example.com", "https://user@example.com/a",
    "https://example.com/a b", "https://example.com/a\tb", "https://example.com/新闻?id=中",
    "https://example.com/a?b=1?c=2", "  https://example.com/a  ", "ftp://example.com/a",
])
def test_the_shortcut_agrees_with_parsing(url):
    assert canonical_url(url) == identity._parsed_canonical_url(url.strip())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join))
def test_the_shortcut_agrees_with_parsing_on_any_mix(url):
    assert canonical_url(url) == identity._parsed_canonical_url(url.strip())


def test_the_shortcut_is_taken_for_a_plain_link(monkeypatch):
    monkeypatch.setattr(identity, "_parsed_canonical_url", lambda url: "parsed")
    assert canonical_url("https://www.zaobao.com.sg/realtime/china/story-1") \
        == "https://www.zaobao.com.sg/realtime/china/story-1"
    assert canonical_url("https://example.com/a?utm_source=x") == "parsed"


@pytest.mark.parametrize("tracked, plain", [
    ("https://bbs.example.com/viewthread.php?tid=2022/0127&page=1&utm_source=rsshub",
     "https://bbs.example.com/viewthread.php?tid=2022/0127&page=1"),
    ("https://example.com/s?q=a%20b&utm_medium=x&flag", "https://example.com/s?q=a%20b&flag"),
    ("https://example.com/s?123&UTM_Source=x", "https://example.com/s?123"),
    ("https://www.dw.com/zh/story/a-1?maca=chi-rss-chi-all-3119-xml-mrss",
     "https://www.dw.com/zh/story/a-1"),
])
def test_tracking_parameters_go_and_the_rest_of_the_query_stays_as_written(tracked, plain):
    assert canonical_url(tracked) == canonical_url(plain) == plain


@pytest.mark.parametrize("code", [f"{n:02X}" for n in range(0x20, 0x80)]
                         + [f"{n:02x}" for n in range(0x20, 0x80)] + ["zz", "4"])
def test_the_quick_path_spells_every_escape_as_parsing_does(code):
    """A link of the plain shape skips parsing when its escapes are spelled the one way
    already (a pattern decides): it must agree with the parse for every escape."""
    from newsvault.store.identity import _parsed_canonical_url

    url = f"https://x.test/a%{code}b?q=%{code}"
    assert canonical_url(url) == _parsed_canonical_url(url)
