"""Address policy for the external link checker: which IP addresses it may connect to.

The checker must not become a way to probe the machine it runs on or its network (a link to
``http://169.254.169.254/`` in a pull request would otherwise read a cloud metadata service).
So every address a host name resolves to is judged here, after DNS resolution and again at
every redirect hop, and the caller then connects to exactly the address that was judged.

Refused by default: loopback, "this network" (0/8) and the unspecified addresses, private
RFC 1918 ranges, link-local (169.254/16, fe80::/10), shared CGNAT space (100.64/10), multicast,
broadcast, reserved (240/4), documentation, benchmarking and IETF protocol ranges, IPv6
unique-local (fc00::/7), deprecated site-local and IPv4-compatible forms, Teredo, local-use
NAT64, and anything else Python does not consider globally routable. IPv6 forms that carry an
IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96`` and 6to4 ``2002::/16``)
are judged by the IPv4 address they carry.

``allow`` networks (CIDRs, from ``--allow-network``) lift the refusal for exactly those
networks. There is no allow-all switch: networks wider than /8 (IPv4) or /8 (IPv6) are rejected.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

__all__ = [
    "IPAddress",
    "IPNetwork",
    "Refused",
    "ResolveError",
    "check_host",
    "check_ip",
    "classify",
    "is_allowed",
    "parse_ip",
    "parse_networks",
]

#: The narrowest prefix an allow network may have (no allow-all, not even in two halves).
MIN_ALLOW_PREFIX = {4: 8, 6: 8}


class Refused(Exception):
    """The host resolves to an address the policy refuses; ``reason`` is a short sentence."""

    def __init__(self, reason: str, address: IPAddress | None = None, host: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.address = address
        self.host = host
        self.why = reason


class ResolveError(Exception):
    """The host name could not be resolved (a DNS failure: never retried by the checker)."""

    def __init__(self, host: str, message: str):
        super().__init__(f"{host}: {message}")
        self.host = host
        self.message = message


def _nets(*pairs: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), why) for cidr, why in pairs)


# Order matters: the first match gives the reason (e.g. broadcast before reserved 240/4).
_V4_RULES = _nets(
    ("0.0.0.0/32", "the unspecified address"),
    ("0.0.0.0/8", "a 'this network' address"),
    ("127.0.0.0/8", "a loopback address"),
    ("10.0.0.0/8", "a private address"),
    ("172.16.0.0/12", "a private address"),
    ("192.168.0.0/16", "a private address"),
    ("169.254.169.254/32", "a link-local address (cloud metadata service)"),
    ("169.254.0.0/16", "a link-local address"),
    ("100.64.0.0/10", "a shared address (carrier-grade NAT)"),
    ("192.0.0.0/24", "an IETF protocol assignment address"),
    ("192.0.2.0/24", "a documentation address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("192.88.99.0/24", "a deprecated 6to4 relay address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)

_V6_RULES = _nets(
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("::ffff:0:0:0/96", "an IPv4-translated address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/32", "a Teredo tunnel address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a deprecated site-local address"),
    ("fc00::/7", "a unique-local address"),
    ("ff00::/8", "a multicast address"),
)

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPAT = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def parse_ip(ip: str | IPAddress) -> IPAddress:
    """An address object from a string (brackets and an IPv6 zone id are dropped)."""
    if isinstance(ip, (IPv4Address, IPv6Address)):
        return ip
    text = str(ip).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if "%" in text:  # fe80::1%eth0: the zone does not change what the address is
        text = text.split("%", 1)[0]
    return ipaddress.ip_address(text)


def unmap(ip: IPAddress) -> IPAddress:
    """``::ffff:a.b.c.d`` is the IPv4 address a.b.c.d; everything else is itself."""
    if isinstance(ip, IPv6Address) and ip in _MAPPED:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _embedded_v4(ip: IPv6Address) -> tuple[IPv4Address, str] | None:
    if ip in _MAPPED:
        return IPv4Address(int(ip) & 0xFFFFFFFF), "IPv4-mapped"
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip in _SIX_TO_FOUR:
        return IPv4Address((int(ip) >> 80) & 0xFFFFFFFF), "6to4"
    return None


def _why_v4(ip: IPv4Address) -> str | None:
    for net, why in _V4_RULES:
        if ip in net:
            return why
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _why_v6(ip: IPv6Address) -> str | None:
    for net, why in _V6_RULES:
        if ip in net:
            return why
    if ip in _COMPAT:
        return "a deprecated IPv4-compatible address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _show(addr: IPAddress) -> str:
    """The usual spelling; IPv4-mapped addresses keep their dotted tail (``::ffff:10.0.0.1``)."""
    if isinstance(addr, IPv6Address) and addr in _MAPPED:
        return f"::ffff:{IPv4Address(int(addr) & 0xFFFFFFFF)}"
    return str(addr)


def _judge(addr: IPAddress) -> str | None:
    """What a refused address is ('a loopback address', 'NAT64 10.0.0.1, a private address')."""
    if isinstance(addr, IPv4Address):
        return _why_v4(addr)
    embedded = _embedded_v4(addr)
    if embedded is not None:
        v4, kind = embedded
        why = _why_v4(v4)
        return f"{kind} {v4}, {why}" if why else None
    return _why_v6(addr)


def classify(ip: str | IPAddress) -> str | None:
    """Why the address is refused (a short sentence naming it), or None if it is allowed.

    ``classify('10.0.0.1') == '10.0.0.1 is a private address'``; IPv6 forms carrying an IPv4
    address are judged by that address:
    ``'::ffff:127.0.0.1 is IPv4-mapped 127.0.0.1, a loopback address'``.
    Raises ValueError for something that is not an IP address.
    """
    addr = parse_ip(ip)
    why = _judge(addr)
    return f"{_show(addr)} is {why}" if why else None


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Allow networks from CIDR strings; a bare address is a /32 or /128.

    Raises ValueError for a malformed CIDR or one wider than ``MIN_ALLOW_PREFIX`` (no allow-all).
    """
    nets: list[IPNetwork] = []
    for cidr in cidrs:
        net = ipaddress.ip_network(str(cidr).strip(), strict=False)
        if net.prefixlen < MIN_ALLOW_PREFIX[net.version]:
            raise ValueError(
                f"allow network {cidr!r} is too wide (at most /{MIN_ALLOW_PREFIX[net.version]}); "
                "name the exact networks to allow"
            )
        nets.append(net)
    return tuple(nets)


def _as_networks(allow: Iterable[str | IPNetwork] | None) -> tuple[IPNetwork, ...]:
    if not allow:
        return ()
    items = tuple(allow)
    if all(isinstance(n, (IPv4Network, IPv6Network)) for n in items):
        return items  # type: ignore[return-value]
    return parse_networks(str(n) for n in items)


def is_allowed(ip: str | IPAddress, allow: Iterable[str | IPNetwork] | None = ()) -> bool:
    """True if the address may be connected to: not refused, or inside an allow network.

    An IPv4-mapped IPv6 address is judged as the IPv4 address, also against the allow list.
    """
    addr = unmap(parse_ip(ip))
    if classify(addr) is None:
        return True
    return any(addr.version == net.version and addr in net for net in _as_networks(allow))


def check_ip(ip: str | IPAddress, allow: Iterable[str | IPNetwork] | None = ()) -> IPAddress:
    """The address (IPv4-mapped forms unmapped) if allowed; raises Refused otherwise."""
    addr = parse_ip(ip)
    plain = unmap(addr)
    if is_allowed(plain, allow):
        return plain
    why = _judge(addr) or "outside the allowed networks"
    exc = Refused(f"{_show(addr)} is {why}", plain)
    exc.why = why
    raise exc


def check_host(
    host: str, port: int | None, allow: Iterable[str | IPNetwork] | None = ()
) -> list[IPAddress]:
    """Resolve ``host`` with socket.getaddrinfo and check every address it resolves to.

    Returns the addresses (deduplicated, in resolver order, IPv4-mapped forms unmapped) to
    connect to; the caller must connect to one of these and not resolve the name again.
    Raises Refused if ANY address is refused (a name with one public and one private record is
    refused), ResolveError if the name does not resolve.
    """
    nets = _as_networks(allow)
    name = host.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if not name:
        raise ResolveError(host, "empty host name")
    try:
        literal: IPAddress | None = parse_ip(name)
    except ValueError:
        literal = None
    if literal is not None:
        try:
            return [check_ip(literal, nets)]
        except Refused as exc:
            exc.host = host
            raise
    try:
        query = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError as exc:
        raise ResolveError(host, f"invalid host name ({exc})") from None
    try:
        infos = socket.getaddrinfo(query, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveError(host, exc.strerror or str(exc)) from None
    except UnicodeError as exc:
        raise ResolveError(host, f"invalid host name ({exc})") from None
    seen: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            addr = parse_ip(str(sockaddr[0]))
        except ValueError:
            continue
        try:
            plain = check_ip(addr, nets)
        except Refused as exc:
            raise Refused(f"{host} resolves to {_show(addr)}, {exc.why}", exc.address, host) from None
        if plain not in seen:
            seen.append(plain)
    if not seen:
        raise ResolveError(host, "no IPv4 or IPv6 address")
    return seen
