"""Loaded by every Python process the tests start (tests/conftest.py puts this folder on
PYTHONPATH), and by the test process itself: names resolve only when no DNS query is
needed (loopback names, addresses however spelled). Any other name fails at once, as it would on a machine without network, instead of
sending a DNS query out (tests must not touch the network) or waiting for a resolver that
never answers (which once hung a test for minutes)."""

import ipaddress
import socket

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _needs_no_dns(host) -> bool:
    """A loopback name, or an address however spelled ("127.1", "2130706433", "::1"):
    those the resolver answers without asking anyone."""
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(name)  # the old IPv4 spellings getaddrinfo also accepts
        return True
    except OSError:
        return False


def install() -> None:
    """Wrap socket.getaddrinfo (once)."""
    if getattr(socket.getaddrinfo, "loopback_only", False):
        return
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not _needs_no_dns(host):
            raise socket.gaierror(socket.EAI_NONAME,
                                  f"tests resolve loopback names only, not {host!r}")
        return real(host, *args, **kwargs)

    getaddrinfo.loopback_only = True
    socket.getaddrinfo = getaddrinfo


install()
