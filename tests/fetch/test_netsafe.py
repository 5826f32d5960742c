"""The SSRF guard: URLs from untrusted content (get_untrusted) reach public addresses only,
checked after DNS resolution and on every redirect hop; feeds (get) go anywhere.

Nothing here leaves the machine: "a public address" is played by 127.0.0.2 through the
fetcher's ``address_check`` hook, with real connections to real loopback servers, and the
verdict on real public addresses is tested on the check function alone.
"""

import asyncio
import ipaddress
import socket

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver
from support.server import FeedServer

from newsvault.config import FetchSettings
from newsvault.errors import BlockedAddressError, FetchError
from newsvault.fetch import HttpFetcher
from newsvault.fetch.netsafe import ALLOW_PRIVATE_ENV, GuardedResolver, blocked_reason

pytestmark = pytest.mark.timeout(60)

STAND_IN_PUBLIC = "127.0.0.2"  # treated as a public address by the tests' address check


def fast_settings(**changes) -> FetchSettings:
    return FetchSettings(**{"connect_timeout": 1.0, "read_timeout": 2.0, "total_timeout": 10.0,
                            "retries": 1, "backoff": 0.01, **changes})


def public_stand_in(address) -> str | None:
    return None if str(address) == STAND_IN_PUBLIC else blocked_reason(address)


@pytest.fixture(autouse=True)
def no_allow_env(monkeypatch):
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)


@pytest.fixture
def public_server():
    """A FeedServer on 127.0.0.2, the address the tests' check lets through."""
    with FeedServer(host=STAND_IN_PUBLIC) as server:
        yield server


def untrusted(url, settings=None, check=None, then_feed: str | None = None):
    """get_untrusted(url) through a fresh fetcher; with ``then_feed``, also get(then_feed)
    on the same fetcher and return both results (exceptions as values)."""

    async def go():
        options = {"address_check": check} if check else {}
        async with HttpFetcher(settings or fast_settings(), **options) as fetcher:
            results = []
            for call, target in ((fetcher.get_untrusted, url), (fetcher.get, then_feed)):
                if target is None:
                    continue
                try:
                    results.append(await call(target))
                except FetchError as error:
                    results.append(error)
            return results if then_feed else results[0]

    return asyncio.run(go())


# -- the verdict on addresses ---------------------------------------------------------

@pytest.mark.parametrize("address, kind", [
    ("10.0.0.5", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("169.254.169.254", "link-local"),  # the cloud metadata service
    ("100.64.0.1", "shared (CGNAT)"),
    ("100.127.255.254", "shared (CGNAT)"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.0.8", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fd12:3456::1", "unique-local"),
    ("fc00::1", "unique-local"),
    ("fe80::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("2001::1", "reserved"),  # Teredo
    ("100::1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.5", "private"),
    ("::ffff:0.0.0.0", "unspecified"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
    ("64:ff9b::a00:5", "private"),  # NAT64 of 10.0.0.5
    ("64:ff9b:1::1", "private"),  # local-use NAT64
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
])
def test_every_blocked_range_is_named(address, kind):
    assert blocked_reason(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "192.169.0.1",
    "11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8",
    "64:ff9b::808:808", "2002:808:808::1",
])
def test_public_addresses_pass(address):
    assert blocked_reason(ipaddress.ip_address(address)) is None


# -- real requests ----------------------------------------------------------------------

def test_a_loopback_ip_is_blocked_before_any_connection(feed_server):
    feed_server.route("/page.html", body=b"secret")
    error = untrusted(feed_server.url("/page.html"))
    assert isinstance(error, BlockedAddressError)
    assert "blocked: 127.0.0.1 is a loopback address" in str(error)
    assert feed_server.count("/page.html") == 0


def test_a_host_name_that_resolves_to_loopback_is_blocked(feed_server):
    feed_server.route("/page.html", body=b"secret")
    error = untrusted(f"http://localhost:{feed_server.port}/page.html")
    assert isinstance(error, BlockedAddressError)
    assert "blocked: localhost resolves to" in str(error)
    assert "loopback address" in str(error)
    assert feed_server.count("/page.html") == 0


@pytest.mark.parametrize("host", ["0x7f000001", "[::ffff:127.0.0.1]"])
def test_odd_spellings_of_local_addresses_are_blocked(feed_server, host):
    """The resolver turns them into 127.0.0.1; the check runs on what it gives."""
    feed_server.route("/page.html", body=b"secret")
    error = untrusted(f"http://{host}:{feed_server.port}/page.html")
    assert isinstance(error, BlockedAddressError), error
    assert feed_server.count("/page.html") == 0


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0"])
def test_abbreviated_ipv4_addresses_are_refused_as_invalid(feed_server, host):
    """Numbers that a resolver would read as 127.0.0.1 or 0.0.0.0 are not valid hosts to
    the URL parser: refused before any lookup, feeds and pages alike."""
    feed_server.route("/page.html", body=b"secret")
    error = untrusted(f"http://{host}:{feed_server.port}/page.html")
    assert isinstance(error, FetchError), error
    assert str(error).startswith("fetch: not a valid URL:") and "canonical IPv4" in str(error)
    assert feed_server.count("/page.html") == 0


def test_the_stand_in_public_address_is_fetched(public_server):
    """The control for the redirect tests: the hook lets 127.0.0.2 through for real."""
    public_server.route("/article.html", body=b"<p>article</p>")
    response = untrusted(public_server.url("/article.html"), check=public_stand_in)
    assert response.body == b"<p>article</p>"


@pytest.mark.parametrize("target", ["ip", "localhost"])
def test_a_redirect_to_loopback_is_blocked_on_its_hop(public_server, feed_server, target):
    feed_server.route("/secret", body=b"secret")
    location = (feed_server.url("/secret") if target == "ip"
                else f"http://localhost:{feed_server.port}/secret")
    public_server.redirect("/article.html", location, 302)
    error = untrusted(public_server.url("/article.html"), check=public_stand_in)
    assert isinstance(error, BlockedAddressError)
    assert "loopback address" in str(error)
    assert public_server.count("/article.html") == 1
    assert feed_server.count("/secret") == 0


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://ftp.example.org/x", "gopher://127.0.0.1:70/_x",
    "data:text/html,<script>alert(1)</script>", "javascript:alert(1)", "//example.org/x",
    "dict://127.0.0.1:11211/stat",
])
def test_other_schemes_are_blocked(url):
    error = untrusted(url)
    assert isinstance(error, BlockedAddressError)
    assert "is not an http(s) URL" in str(error)


def test_a_redirect_to_another_scheme_is_refused(public_server):
    public_server.redirect("/article.html", "file:///etc/passwd", 302)
    error = untrusted(public_server.url("/article.html"), check=public_stand_in)
    assert isinstance(error, FetchError)
    assert "not http(s)" in str(error)


def test_the_setting_allows_private_addresses(feed_server):
    feed_server.route("/page.html", body=b"local page")
    response = untrusted(feed_server.url("/page.html"),
                         fast_settings(allow_private_addresses=True))
    assert response.body == b"local page"
    assert feed_server.count("/page.html") == 1


def test_the_environment_variable_allows_private_addresses(feed_server, monkeypatch):
    feed_server.route("/page.html", body=b"local page")
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    assert untrusted(feed_server.url("/page.html")).body == b"local page"
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "0")
    assert isinstance(untrusted(feed_server.url("/page.html")), BlockedAddressError)


def test_the_setting_still_refuses_other_schemes():
    error = untrusted("file:///etc/passwd", fast_settings(allow_private_addresses=True))
    assert isinstance(error, BlockedAddressError)


def test_feeds_from_loopback_work_without_the_setting(feed_server):
    """The same fetcher blocks an untrusted URL and fetches the user's feed at that host."""
    feed_server.route("/feed.xml", body=b"<rss/>")
    feed_server.route("/page.html", body=b"secret")
    blocked, feed = untrusted(feed_server.url("/page.html"), then_feed=feed_server.url("/feed.xml"))
    assert isinstance(blocked, BlockedAddressError)
    assert feed.body == b"<rss/>"
    assert feed_server.count("/feed.xml") == 1
    assert feed_server.count("/page.html") == 0


def test_a_name_that_does_not_resolve_is_a_network_error():
    error = untrusted("http://no-such-host.invalid/page.html",
                      fast_settings(retries=0))
    assert isinstance(error, FetchError) and not isinstance(error, BlockedAddressError)
    assert "host name not found" in str(error)


# -- the connection goes to the address that was checked ----------------------------------

class _FixedAnswers(AbstractResolver):
    """A DNS that answers ``addresses`` for every name, and counts the questions."""

    def __init__(self, *addresses: str):
        self.addresses, self.questions = addresses, []

    async def resolve(self, host, port=0, family=socket.AF_INET):
        self.questions.append(host)
        return [{"hostname": host, "host": address, "port": port, "family": socket.AF_INET,
                 "proto": 0, "flags": 0} for address in self.addresses]

    async def close(self):
        pass


def _get_through(resolver: AbstractResolver, url: str) -> bytes:
    """GET ``url`` with a connection pool that resolves through ``resolver``, as the
    fetcher's guarded pool does."""

    async def go():
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(url) as response:
                return await response.read()

    return asyncio.run(go())


def test_the_connection_goes_to_the_checked_ip_not_to_a_new_lookup(public_server):
    """"rebind.example" does not resolve outside this test: a second lookup of the name
    would fail, so the page arriving proves the checked address was used."""
    public_server.route("/page.html", body=b"checked")
    dns = _FixedAnswers(STAND_IN_PUBLIC)
    body = _get_through(GuardedResolver(public_stand_in, dns),
                        f"http://rebind.example:{public_server.port}/page.html")
    assert body == b"checked"
    assert dns.questions == ["rebind.example"]
    assert public_server.count("/page.html") == 1


def test_an_answer_with_any_blocked_address_is_refused_whole():
    resolver = GuardedResolver(blocked_reason, _FixedAnswers("93.184.216.34", "10.0.0.5"))
    with pytest.raises(BlockedAddressError, match="mixed.example resolves to 10.0.0.5, a private"):
        asyncio.run(resolver.resolve("mixed.example", 80))


def test_the_next_checked_address_is_tried_when_one_refuses(public_server):
    public_server.route("/page.html", body=b"second address")
    allow_both = lambda address: None if str(address) in ("127.0.0.3", STAND_IN_PUBLIC) else "x"  # noqa: E731
    dns = _FixedAnswers("127.0.0.3", STAND_IN_PUBLIC)  # nothing listens on 127.0.0.3
    body = _get_through(GuardedResolver(allow_both, dns),
                        f"http://two.example:{public_server.port}/page.html")
    assert body == b"second address"


def test_a_blocked_answer_fails_the_fetch_before_any_connection(feed_server):
    """Through the fetcher: its guarded pool asks the resolver, and the refusal reaches
    the caller as the BlockedAddressError itself, not as a connection error."""
    feed_server.route("/page.html", body=b"secret")
    error = untrusted(f"http://localhost:{feed_server.port}/page.html")
    assert isinstance(error, BlockedAddressError)
    assert str(error).startswith("fetch: blocked: localhost resolves to 127.0.0.1")
    assert feed_server.count("/page.html") == 0
