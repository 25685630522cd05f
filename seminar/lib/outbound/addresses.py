"""Which addresses an outbound request may reach: public ones, and what `OUTBOUND_ALLOWED_NETWORKS`
allows on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from seminar.lib.outbound.errors import AddressNotAllowed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# NAT64 (RFC 6052): an IPv6-only host reaches IPv4 through these; judge the IPv4 inside.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class AllowedNetwork:
    network: IPNetwork
    port: int | None  # None: every port


def parse_allowed_networks(entries: Iterable[str]) -> tuple[AllowedNetwork, ...]:
    """Read `OUTBOUND_ALLOWED_NETWORKS` entries: "CIDR", "IPv4[/len]:port", "[IPv6[/len]]:port"."""
    parsed = []
    for entry in entries:
        text, port = entry.strip(), None
        try:
            if text.startswith("["):
                text, _bracket, rest = text[1:].partition("]")
                if rest:
                    if not rest.startswith(":"):
                        raise ValueError(entry)
                    port = int(rest[1:])
            elif text.count(":") == 1:
                text, _colon, port_text = text.partition(":")
                port = int(port_text)
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"OUTBOUND_ALLOWED_NETWORKS: {entry!r} is not a network, "
                "an 'IPv4:port' or an '[IPv6]:port'"
            ) from exc
        parsed.append(AllowedNetwork(network=network, port=port))
    return tuple(parsed)


def configured_allowances() -> tuple[AllowedNetwork, ...]:
    return parse_allowed_networks(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ()) or ())


def is_public(ip: IPAddress) -> bool:
    """Whether `ip` is an ordinary address on the public internet."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None or ip.teredo is not None:
            return False  # an IPv4 address (often 127.0.0.1) wearing an IPv6 coat
        if ip.sixtofour is not None:
            return is_public(ip.sixtofour)
        if ip in _NAT64:
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.is_site_local:
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def address_allowed(
    ip: IPAddress, port: int, allowed: Sequence[AllowedNetwork] | None = None
) -> bool:
    """Public addresses, and whatever `OUTBOUND_ALLOWED_NETWORKS` (or `allowed`) lets through."""
    if is_public(ip):
        return True
    allowed = configured_allowances() if allowed is None else allowed
    return any(
        ip.version == entry.network.version and ip in entry.network and entry.port in (None, port)
        for entry in allowed
    )


def vet_addresses(
    addresses: Sequence[IPAddress], port: int, allowed: Sequence[AllowedNetwork] | None = None
) -> list[IPAddress]:
    """`addresses` if every one of them is allowed; otherwise `AddressNotAllowed`.

    All of them, not the first: the connection may go to any, and a name that resolves to a
    public and a private address is an attack, not a typo.
    """
    allowed = configured_allowances() if allowed is None else allowed
    refused = [ip for ip in addresses if not address_allowed(ip, port, allowed)]
    if refused or not addresses:
        raise AddressNotAllowed(
            f"{', '.join(map(str, refused or addresses)) or 'no address'} (port {port}) "
            "is not a public address"
        )
    return list(addresses)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host spells out itself, or None for a name.

    Includes the forms the resolver reads as IPv4 (`127.1`, `2130706433`, `0x7f.1`), which
    `ipaddress` does not.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None
