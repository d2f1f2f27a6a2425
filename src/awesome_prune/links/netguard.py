"""Address policy of the external link checker: which IP addresses it may connect to.

The checker must not become a way to probe the machine it runs on or its network (a link to
``http://169.254.169.254/`` in a pull request would otherwise read a cloud metadata service).
Every address a host name resolves to is judged here, after DNS resolution and again at every
redirect hop, and the caller then connects to exactly the address that was judged.

Refused: loopback, 0/8 and the unspecified addresses, RFC 1918, link-local, CGNAT, multicast,
broadcast, reserved, documentation, benchmarking and IETF protocol ranges, IPv6 unique-local,
site-local, IPv4-compatible, Teredo, local-use NAT64, and anything else Python does not consider
globally routable. IPv6 forms carrying an IPv4 address (IPv4-mapped, NAT64 ``64:ff9b::/96``,
6to4 ``2002::/16``) are judged by that IPv4 address. ``allow`` networks (``--allow-network``)
lift the refusal for exactly those networks; none may be wider than /8.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

__all__ = ["IPAddress", "IPNetwork", "Refused", "ResolveError", "check_host", "check_ip",
           "classify", "is_allowed", "parse_ip", "parse_networks"]

#: The narrowest prefix an allow network may have (no allow-all, not even in two halves).
MIN_ALLOW_PREFIX = {4: 8, 6: 8}


class Refused(Exception):
    """The host resolves to an address the policy refuses; ``reason`` is a short sentence,
    ``why`` what the address is ('a loopback address')."""

    def __init__(self, reason: str, address: IPAddress | None = None, host: str | None = None,
                 why: str | None = None):
        super().__init__(reason)
        self.reason, self.address, self.host, self.why = reason, address, host, why or reason


class ResolveError(Exception):
    """The host name could not be resolved (a DNS failure: never retried by the checker)."""

    def __init__(self, host: str, message: str):
        super().__init__(f"{host}: {message}")
        self.host, self.message = host, message


def _rules(text: str) -> tuple[tuple[IPNetwork, str], ...]:
    """``cidr reason`` lines; the first matching line gives the reason."""
    pairs = (line.split(None, 1) for line in text.strip().splitlines())
    return tuple((ipaddress.ip_network(cidr), why) for cidr, why in pairs)


_V4_RULES = _rules("""
0.0.0.0/32 the unspecified address
0.0.0.0/8 a 'this network' address
127.0.0.0/8 a loopback address
10.0.0.0/8 a private address
172.16.0.0/12 a private address
192.168.0.0/16 a private address
169.254.169.254/32 a link-local address (cloud metadata service)
169.254.0.0/16 a link-local address
100.64.0.0/10 a shared address (carrier-grade NAT)
192.0.0.0/24 an IETF protocol assignment address
192.0.2.0/24 a documentation address
198.51.100.0/24 a documentation address
203.0.113.0/24 a documentation address
198.18.0.0/15 a benchmarking address
192.88.99.0/24 a deprecated 6to4 relay address
224.0.0.0/4 a multicast address
255.255.255.255/32 the broadcast address
240.0.0.0/4 a reserved address
""")
_V6_RULES = _rules("""
::/128 the unspecified address
::1/128 a loopback address
::ffff:0:0:0/96 an IPv4-translated address
64:ff9b:1::/48 a local-use NAT64 address
100::/64 a discard-only address
2001::/32 a Teredo tunnel address
2001:db8::/32 a documentation address
3fff::/20 a documentation address
fe80::/10 a link-local address
fec0::/10 a deprecated site-local address
fc00::/7 a unique-local address
ff00::/8 a multicast address
::/96 a deprecated IPv4-compatible address
""")
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
#: IPv6 ranges that carry an IPv4 address: (network, name, shift of the IPv4 bits).
_CARRIERS = ((_MAPPED, "IPv4-mapped", 0), (ipaddress.ip_network("64:ff9b::/96"), "NAT64", 0),
             (ipaddress.ip_network("2002::/16"), "6to4", 80))


def parse_ip(ip: str | IPAddress) -> IPAddress:
    """An address object from a string (brackets and an IPv6 zone id are dropped)."""
    if isinstance(ip, (IPv4Address, IPv6Address)):
        return ip
    text = str(ip).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: the zone changes nothing


def _unmap(ip: IPAddress) -> IPAddress:
    """``::ffff:a.b.c.d`` is the IPv4 address a.b.c.d; everything else is itself."""
    return IPv4Address(int(ip) & 0xFFFFFFFF) if ip.version == 6 and ip in _MAPPED else ip


def _show(addr: IPAddress) -> str:
    """The usual spelling; IPv4-mapped addresses keep their dotted tail (``::ffff:10.0.0.1``)."""
    return f"::ffff:{_unmap(addr)}" if addr.version == 6 and addr in _MAPPED else str(addr)


def _judge(addr: IPAddress) -> str | None:
    """What a refused address is ('a loopback address', 'NAT64 10.0.0.1, a private address')."""
    if addr.version == 6:
        for net, kind, shift in _CARRIERS:
            if addr in net:
                v4 = IPv4Address((int(addr) >> shift) & 0xFFFFFFFF)
                why = _judge(v4)
                return f"{kind} {v4}, {why}" if why else None
    for net, why in _V4_RULES if addr.version == 4 else _V6_RULES:
        if addr in net:
            return why
    return None if addr.is_global else "not a globally routable address"


def classify(ip: str | IPAddress) -> str | None:
    """Why the address is refused (a short sentence naming it), or None if it is allowed.

    ``classify('::ffff:127.0.0.1') == '::ffff:127.0.0.1 is IPv4-mapped 127.0.0.1, a loopback
    address'``. Raises ValueError for something that is not an IP address.
    """
    addr = parse_ip(ip)
    why = _judge(addr)
    return f"{_show(addr)} is {why}" if why else None


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Allow networks from CIDR strings; a bare address is a /32 or /128.

    Raises ValueError for a malformed CIDR, one with host bits set (``127.0.0.1/8`` is not
    silently widened to 127.0.0.0/8) or one wider than ``MIN_ALLOW_PREFIX`` (no allow-all).
    """
    nets: list[IPNetwork] = []
    for cidr in cidrs:
        text = str(cidr).strip()
        net = ipaddress.ip_network(text, strict=False)
        if net.prefixlen < MIN_ALLOW_PREFIX[net.version]:
            raise ValueError(
                f"allow network {cidr!r} is too wide (at most /{MIN_ALLOW_PREFIX[net.version]}); "
                "name the exact networks to allow"
            )
        if net.network_address != ipaddress.ip_interface(text).ip:
            raise ValueError(f"{text} has host bits set; did you mean {net}?")
        nets.append(net)
    return tuple(nets)


def _as_networks(allow: Iterable[str | IPNetwork] | None) -> tuple[IPNetwork, ...]:
    items = tuple(allow or ())
    if all(isinstance(n, (IPv4Network, IPv6Network)) for n in items):
        return items  # type: ignore[return-value]
    return parse_networks(str(n) for n in items)


def is_allowed(ip: str | IPAddress, allow: Iterable[str | IPNetwork] | None = ()) -> bool:
    """True if the address may be connected to: not refused, or inside an allow network
    (an IPv4-mapped address is judged as the IPv4 address, also against the allow list)."""
    addr = _unmap(parse_ip(ip))
    if _judge(addr) is None:
        return True
    return any(addr.version == net.version and addr in net for net in _as_networks(allow))


def check_ip(ip: str | IPAddress, allow: Iterable[str | IPNetwork] | None = ()) -> IPAddress:
    """The address (IPv4-mapped forms unmapped) if allowed; raises Refused otherwise."""
    addr = parse_ip(ip)
    if is_allowed(addr, allow):
        return _unmap(addr)
    why = _judge(addr) or "outside the allowed networks"
    raise Refused(f"{_show(addr)} is {why}", _unmap(addr), why=why)


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
        literal = parse_ip(name)
    except ValueError:
        pass
    else:
        try:
            return [check_ip(literal, nets)]
        except Refused as exc:
            exc.host = host
            raise
    try:
        query = name if name.isascii() else name.encode("idna").decode("ascii")
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
            plain = check_ip(str(sockaddr[0]), nets)
        except ValueError:
            continue
        except Refused as exc:
            shown = _show(parse_ip(str(sockaddr[0])))
            raise Refused(f"{host} resolves to {shown}, {exc.why}", exc.address, host) from None
        if plain not in seen:
            seen.append(plain)
    if not seen:
        raise ResolveError(host, "no IPv4 or IPv6 address")
    return seen
