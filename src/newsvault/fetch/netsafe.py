"""The guard against server-side request forgery for URLs found in untrusted HTML.

Article pages and images are fetched from URLs that a feed or a page named. Such a URL
must not make newsvault talk to the machine it runs on or to its private network
(a router's admin page, a cloud metadata service at 169.254.169.254, a database on
localhost). So, for those requests only:

- the scheme is http or https;
- every address a host name resolves to is checked (:func:`blocked_reason`), on every
  redirect hop, since each hop opens its own connection;
- the connection goes to the address that was checked, never to a second resolution of
  the name (no DNS-rebinding window): :class:`GuardedBackend` sits under httpcore, resolves,
  checks, and connects to the checked IP. TLS still verifies the certificate against the
  host name, which httpcore passes as SNI.

Feeds are the user's own choice and may be anywhere, loopback included: they never pass
through the guard. ``allow_private_addresses = true`` in ``[fetch]`` or the environment
variable ``NEWSVAULT_ALLOW_PRIVATE=1`` turns the address check off (the scheme check stays).
"""

import ipaddress
import os
import socket
import ssl
from collections.abc import Callable

import anyio
import httpcore
import httpx

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


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but a TCP connection is opened only to an address that
    ``check`` allows, and to exactly that address (no second DNS lookup)."""

    def __init__(self, check: AddressCheck = blocked_reason,
                 inner: httpcore.AsyncNetworkBackend | None = None):
        self._check = check
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else anyio.current_time() + timeout
        addresses = await self._resolve(host, port, timeout)
        for address in addresses:
            kind = self._check(address)
            if kind is not None:
                raise blocked_error(host, address, kind)
        failure: Exception | None = None
        for index, address in enumerate(addresses):  # in the resolver's order
            # An address that does not answer must leave time for the next ones.
            share = None if deadline is None else (
                max(deadline - anyio.current_time(), 0) / (len(addresses) - index))
            try:
                return await self._inner.connect_tcp(str(address), port, share,
                                                     local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        return addresses

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not for untrusted URLs")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a :class:`GuardedBackend`. httpx takes no network backend
    of its own, so the connection pool it made is replaced by one that has it (the test
    suite's blocked-address tests fail if httpx ever stops using ``_pool``). Proxies from
    the environment are not used: through a proxy the address could not be checked."""

    def __init__(self, tls: ssl.SSLContext, limits: httpx.Limits, check: AddressCheck):
        super().__init__(verify=tls, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(check),
        )
