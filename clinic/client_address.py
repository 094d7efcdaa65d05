"""The client's IP address: the socket peer, or what our own proxies report in X-Forwarded-For.

One idea of "the client" for every app: the sign-in lockout (django-axes, through
AXES_CLIENT_IP_CALLABLE) and the forms' rate limits (`contacts.abuse.client_key`). The answer is
always a bare, valid IP address, never a string from a header as it came: axes stores it in an
`inet` column on PostgreSQL, which refuses anything else (a 500 at sign-in, and an uncounted
failure).
"""

import ipaddress
import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# A peer with no IP address (a Unix socket) is "not known": still a valid address, so the lockout
# counts its failures (all under this one address) instead of failing to store them.
UNKNOWN = "0.0.0.0"  # noqa: S104 - a value to store, not an address to listen on
# "1.2.3.4:5678" and "[2001:db8::1]:443", as some proxies write them; the host is checked after.
WITH_PORT = re.compile(r"\[(?P<ipv6>[^\]]+)\](?::[0-9]{1,5})?|(?P<ipv4>[0-9.]+):[0-9]{1,5}")
# Longer than any address with a port and a zone: junk, not worth parsing.
MAX_LENGTH = 80


def parse_address(value: str) -> IPAddress | None:
    """`value` as an IP address (any port dropped; IPv4-mapped IPv6 as IPv4; no zone), or None."""
    value = value.strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    with_port = WITH_PORT.fullmatch(value)
    host = (with_port["ipv6"] or with_port["ipv4"]) if with_port else value
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        # "::ffff:1.2.3.4" is the IPv4 client 1.2.3.4; a zone ("%eth0") names our interface, not the client.
        return address.ipv4_mapped or ipaddress.IPv6Address(address.packed)
    return address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy) for proxy in proxies)


def is_trusted_proxy(address: IPAddress) -> bool:
    """Whether `address` is one of our own proxies (settings.TRUSTED_PROXIES)."""
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's IP address, believing `X-Forwarded-For` only from our own proxies.

    A request whose direct peer (REMOTE_ADDR) is not in DJANGO_TRUSTED_PROXIES is taken at its
    socket address: anyone else can write any header. From a trusted proxy, the header is read
    from the right (each proxy appends the address it was reached from), skipping our own proxies;
    the first address that is not one of them is the client, as nginx's real_ip_recursive does.
    A value there that is not an IP address ("unknown", a typo) means the client is not known:
    the direct peer is answered instead.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return UNKNOWN
    if not is_trusted_proxy(peer):
        return str(peer)
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:
            return str(peer)
        if not is_trusted_proxy(address):
            return str(address)
        client = address
    # Every hop is one of ours: the left-most is the nearest to the client.
    return str(client)
