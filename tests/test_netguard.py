"""Unit tests of the link checker's address policy. Nothing here opens a connection: refusals of
non-loopback ranges are decided by classification alone, and name resolution goes through a
fake resolver (or /etc/hosts for ``localhost``), under the loopback guard."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from httpfarm import loopback_guard  # noqa: E402

from awesome_prune.links import netguard  # noqa: E402
from awesome_prune.links.netguard import Refused, ResolveError, check_host, classify  # noqa: E402


@pytest.fixture(autouse=True)
def _guard():
    with loopback_guard() as violations:
        before = len(violations)
        yield
        assert violations[before:] == []


REFUSED = {
    "10.0.0.1": "a private address",
    "172.16.5.4": "a private address",
    "192.168.1.1": "a private address",
    "169.254.169.254": "link-local",
    "100.64.0.1": "shared",
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "192.0.2.10": "documentation",
    "198.51.100.7": "documentation",
    "203.0.113.1": "documentation",
    "198.18.0.1": "benchmarking",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "unique-local",
    "fd12:3456::1": "unique-local",
    "ff02::1": "multicast",
    "2001:db8::1": "documentation",
    "::ffff:10.0.0.1": "IPv4-mapped 10.0.0.1, a private address",
    "::ffff:127.0.0.1": "IPv4-mapped 127.0.0.1, a loopback address",
    "::ffff:169.254.169.254": "IPv4-mapped 169.254.169.254, a link-local",
    "64:ff9b::a9fe:a9fe": "NAT64 169.254.169.254, a link-local",
    "64:ff9b::a00:1": "NAT64 10.0.0.1, a private",
    "2002:a9fe:a9fe::": "6to4 169.254.169.254, a link-local",
    "2002:7f00:1::": "6to4 127.0.0.1, a loopback",
    "::127.0.0.1": "IPv4-compatible",
    "2001::1": "Teredo",
    "64:ff9b:1::1": "local-use NAT64",
}

ALLOWED = ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001:80b::200e",
           "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("ip,why", sorted(REFUSED.items()))
def test_refused_addresses_are_classified_with_a_reason(ip, why):
    reason = classify(ip)
    assert reason is not None, ip
    assert why in reason
    shown = ip if ip.startswith("::ffff:") else str(ipaddress.ip_address(ip))
    assert reason.startswith(f"{shown} is ")


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_are_allowed(ip):
    assert classify(ip) is None


def test_reason_reads_as_a_sentence():
    assert classify("10.0.0.1") == "10.0.0.1 is a private address"
    assert classify("169.254.169.254") == (
        "169.254.169.254 is a link-local address (cloud metadata service)"
    )
    assert classify("::ffff:127.0.0.1") == (
        "::ffff:127.0.0.1 is IPv4-mapped 127.0.0.1, a loopback address"
    )


def test_classify_accepts_objects_brackets_and_zones():
    assert classify(ipaddress.ip_address("10.1.2.3")) == "10.1.2.3 is a private address"
    assert "link-local" in classify("[fe80::1%eth0]")
    with pytest.raises(ValueError):
        classify("not-an-ip")


@given(st.ip_addresses(v=4))
def test_ipv4_mapped_is_judged_as_the_ipv4_address(v4):
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    assert (classify(mapped) is None) == (classify(v4) is None)


@given(st.ip_addresses(v=4))
def test_nat64_and_6to4_follow_the_embedded_address(v4):
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(v4))
    six = ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80))
    expected = classify(v4) is None
    assert (classify(nat64) is None) == expected
    assert (classify(six) is None) == expected


@given(st.ip_addresses())
def test_everything_not_global_is_refused(ip):
    if not ip.is_global or ip.is_multicast:
        mapped = isinstance(ip, ipaddress.IPv6Address) and (
            ip.ipv4_mapped is not None or ip in ipaddress.ip_network("64:ff9b::/96")
            or ip in ipaddress.ip_network("2002::/16")
        )
        if not mapped:
            assert classify(ip) is not None, ip


# --- allow networks -------------------------------------------------------------------------


def test_allow_network_lifts_exactly_that_network():
    allow = netguard.parse_networks(["127.0.0.2/32"])
    assert netguard.is_allowed("127.0.0.2", allow)
    assert not netguard.is_allowed("127.0.0.3", allow)
    assert not netguard.is_allowed("127.0.0.1", allow)
    assert netguard.is_allowed("::ffff:127.0.0.2", allow)  # judged as the IPv4 address
    assert not netguard.is_allowed("::ffff:127.0.0.3", allow)
    assert not netguard.is_allowed("::1", allow)
    assert netguard.is_allowed("8.8.8.8", allow)


def test_allow_networks_must_be_specific():
    for wide in ("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "::/0", "::/7"):
        with pytest.raises(ValueError):
            netguard.parse_networks([wide])
    with pytest.raises(ValueError):
        netguard.parse_networks(["10.0.0.300/32"])
    assert netguard.parse_networks(["10.0.0.0/8", "fd00::/8", "127.0.0.2"])[2].prefixlen == 32


@pytest.mark.parametrize("cidr, meant", [("127.0.0.1/8", "127.0.0.0/8"),
                                         ("10.1.2.3/24", "10.1.2.0/24"),
                                         ("fd00::1/8", "fd00::/8")])
def test_a_network_with_host_bits_set_is_refused_naming_the_network_meant(cidr, meant):
    """Issue 11 §6: 127.0.0.1/8 is not silently widened to 127.0.0.0/8."""
    with pytest.raises(ValueError) as err:
        netguard.parse_networks([cidr])
    assert str(err.value) == f"{cidr} has host bits set; did you mean {meant}?"
    assert netguard.parse_networks([meant])[0] == ipaddress.ip_network(meant)


def test_check_ip_unmaps_and_raises_with_reason():
    assert netguard.check_ip("::ffff:127.0.0.2", ["127.0.0.2/32"]) == ipaddress.ip_address(
        "127.0.0.2"
    )
    with pytest.raises(Refused) as err:
        netguard.check_ip("10.0.0.1")
    assert err.value.reason == "10.0.0.1 is a private address"
    assert str(err.value.address) == "10.0.0.1"


# --- check_host with literals (no resolver) and a fake resolver ------------------------------


def test_check_host_literals_need_no_resolver(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("an IP literal must not be resolved")

    monkeypatch.setattr(socket, "getaddrinfo", boom)
    assert check_host("8.8.8.8", 443, ()) == [ipaddress.ip_address("8.8.8.8")]
    assert check_host("[2606:4700::1111]", 443, ()) == [ipaddress.ip_address("2606:4700::1111")]
    for host in ("10.0.0.1", "0.0.0.0", "[::ffff:169.254.169.254]", "[::]", "[fe80::1]"):
        with pytest.raises(Refused):
            check_host(host, 80, ())


def _fake_resolver(table):
    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for ip in table[host]:
            fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
            addr = (ip, port or 0, 0, 0) if fam == socket.AF_INET6 else (ip, port or 0)
            out.append((fam, socket.SOCK_STREAM, 6, "", addr))
        return out

    return getaddrinfo


def test_check_host_checks_every_resolved_address(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _fake_resolver(
            {
                "public.test": ["8.8.8.8", "2606:4700::1111", "8.8.8.8"],
                "mixed.test": ["8.8.8.8", "10.0.0.1"],
                "meta.test": ["169.254.169.254"],
                "mapped.test": ["::ffff:127.0.0.1"],
                "lab.test": ["127.0.0.2"],
            }
        ),
    )
    assert [str(a) for a in check_host("public.test", 443, ())] == ["8.8.8.8", "2606:4700::1111"]
    with pytest.raises(Refused) as err:
        check_host("mixed.test", 443, ())
    assert err.value.reason == "mixed.test resolves to 10.0.0.1, a private address"
    with pytest.raises(Refused, match="cloud metadata"):
        check_host("meta.test", 80, ())
    with pytest.raises(Refused, match=r"IPv4-mapped 127\.0\.0\.1"):
        check_host("mapped.test", 80, ("127.0.0.2/32",))
    assert [str(a) for a in check_host("lab.test", 80, ("127.0.0.2/32",))] == ["127.0.0.2"]
    with pytest.raises(ResolveError):
        check_host("nxdomain.test", 80, ())


def test_localhost_is_refused_unless_its_addresses_are_allowed():
    with pytest.raises(Refused, match="loopback"):
        check_host("localhost", 80, ("127.0.0.2/32",))
    got = check_host("localhost", 80, ("127.0.0.1/32", "::1/128"))
    assert ipaddress.ip_address("127.0.0.1") in got
