"""Where a webhook may point: the guard against server-side request forgery.

A webhook makes the server send a request of the user's choosing, so it must never
reach what only the server can reach (the gateway, the databases, a cloud's metadata
address). A URL is ``https://`` with a host and no credentials; plain ``http://`` only
to a loopback address, and only where the operator allows loopback. Every delivery
checks the address it actually connected to (after DNS, so a name that later
resolves elsewhere gains nothing): a public address, or one inside
``NOTIFY_WEBHOOK_ALLOWED_NETWORKS`` (none by default).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from urllib.parse import urlsplit

from faas_ems.runtime import settings

MAX_URL_LENGTH = 2000
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


@cache
def _allowed_networks(configured: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in configured.split(",")
        if part.strip()
    )


def allowed_networks():
    return _allowed_networks(settings.current().notify_webhook_allowed_networks)


def address_allowed(address: str) -> bool:
    """Whether a delivery may go to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global or any(ip in network for network in allowed_networks())


def _literal(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def url_problem(url: str) -> str | None:
    """Why a webhook URL cannot be saved, or None (a :class:`Field` ``check``)."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "must be an https:// URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (the signature proves who is calling)"
    if parts.fragment:
        return "must not have a #fragment"
    if port == 0:
        return "must not name port 0"
    literal = _literal(host)
    loopback = host in LOOPBACK_NAMES or (literal is not None and literal.is_loopback)
    if parts.scheme == "http" and not loopback:
        return "must be https:// (plain http only to a loopback address)"
    address = "127.0.0.1" if host in LOOPBACK_NAMES else str(literal) if literal else None
    if address is not None and not address_allowed(address):
        return "points to an address this system does not send to (private, loopback or reserved)"
    return None
