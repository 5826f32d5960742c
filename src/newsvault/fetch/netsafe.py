"""The guard against server-side request forgery for URLs found in untrusted HTML.

Article pages and images are fetched from URLs that a feed or a page named. Such a URL
must not make newsvault talk to the machine it runs on or to its private network
(a router's admin page, a cloud metadata service at 169.254.169.254, a database on
localhost). So, for those requests only:

- the scheme is http or https;
- every address a host name resolves to is checked (:func:`blocked_reason`), on every
  redirect hop, since each hop opens its own connection;
- the connection goes to the address that was checked, never to a second resolution of
  the name (no DNS-rebinding window): :class:`GuardedResolver` is the resolver of the
  connection pool; aiohttp connects to the addresses it returns. TLS still verifies the
  certificate against the host name, which aiohttp passes as SNI. A host that is an IP
  address is not resolved: the fetcher checks it with :func:`check_literal_host`.

Feeds are the user's own choice and may be anywhere, loopback included: they never pass
through the guard. ``allow_private_addresses = true`` in ``[fetch]`` or the environment
variable ``NEWSVAULT_ALLOW_PRIVATE=1`` turns the address check off (the scheme check stays).
"""

import ipaddress
import os
import socket
from collections.abc import Callable

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from newsvault.config import FetchSettings
from newsvault.errors import BlockedAddressError

ALLOW_PRIVATE_ENV = "NEWSVAULT_ALLOW_PRIVATE"
SAFE_SCHEMES = ("http", "https")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressCheck = Callable[[IPAddress], str | None]

_V4, _V6 = ipaddress.IPv4Network, ipaddress.IPv6Network

# (network, what it is), most specific first. An address in none of them that Python does
# not call global is still refused, as "reserved" (the catch-all at the end).
_BLOCKED_V4: list[tuple[ipaddress.IPv4Network, str]] = [
    (_V4("0.0.0.0/8"), "unspecified"),  # "this network"; 0.0.0.0 reaches localhost on Linux
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared (CGNAT)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "reserved"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "reserved"),  # the former 6to4 relay anycast
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved"),
]
_BLOCKED_V6: list[tuple[ipaddress.IPv6Network, str]] = [
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("64:ff9b:1::/48"), "private"),  # local-use NAT64
    (_V6("100::/64"), "reserved"),  # discard-only
    (_V6("2001::/32"), "reserved"),  # Teredo: tunnels to an address it hides
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("fc00::/7"), "unique-local"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("ff00::/8"), "multicast"),
]
# IPv6 forms that carry an IPv4 address: that address decides.
_NAT64 = _V6("64:ff9b::/96")
_IPV4_COMPATIBLE = _V6("::/96")


def blocked_reason(address: IPAddress) -> str | None:
    """What kind of address this is when a fetch of untrusted URL must not reach it
    ("private", "loopback", ...), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return blocked_reason(embedded)
        table = _BLOCKED_V6
    else:
        table = _BLOCKED_V4
    for network, kind in table:
        if address in network:
            return kind
    return None if address.is_global else "reserved"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:  # ::ffff:127.0.0.1
        return address.ipv4_mapped
    if address.sixtofour is not None:  # 2002:7f00:1::
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def private_addresses_allowed(settings: FetchSettings) -> bool:
    return settings.allow_private_addresses or os.environ.get(ALLOW_PRIVATE_ENV) == "1"


def check_untrusted_url(url: str) -> None:
    """Refuse a URL from untrusted content that is not http(s) (file:, ftp:, data:, ...)."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    if scheme not in SAFE_SCHEMES:
        shown = url if len(url) <= 80 else url[:77] + "..."
        raise BlockedAddressError(f"fetch: blocked: {shown} is not an http(s) URL")


def blocked_error(host: str, address: IPAddress, kind: str) -> BlockedAddressError:
    """"blocked: 10.0.0.5 is a private address", or "blocked: localhost resolves to
    127.0.0.1, a loopback address"."""
    article = "an" if kind[0] in "aeiou" else "a"
    if host.strip("[]") == str(address):
        what = f"{address} is {article} {kind} address"
    else:
        what = f"{host} resolves to {address}, {article} {kind} address"
    return BlockedAddressError(
        f"fetch: blocked: {what} (allowed only with allow_private_addresses = true in [fetch])")


def check_address(host: str, address: IPAddress, check: AddressCheck = blocked_reason) -> None:
    """Raise BlockedAddressError when ``check`` refuses ``address`` (which ``host`` is, or
    resolves to)."""
    kind = check(address)
    if kind is not None:
        raise blocked_error(host, address, kind)


def check_literal_host(host: str, check: AddressCheck = blocked_reason) -> None:
    """``check_address`` for a host that is an IP address (aiohttp does not ask the
    resolver about those); a host name is left to :class:`GuardedResolver`."""
    try:
        address = _ip_address(host.strip("[]"))
    except ValueError:
        return
    check_address(host, address, check)


def _ip_address(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone ("%eth0")


class GuardedResolver(AbstractResolver):
    """Resolves as the default resolver does, then refuses the whole answer when ``check``
    refuses any address in it (a host that also resolves to 10.0.0.5 must not be tried
    on its other addresses either: which one is used is up to the attacker's DNS)."""

    def __init__(self, check: AddressCheck = blocked_reason,
                 inner: AbstractResolver | None = None):
        self._check = check
        self._inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        for answer in answers:
            check_address(host, _ip_address(str(answer["host"])), self._check)
        return answers

    async def close(self) -> None:
        await self._inner.close()
