"""Where ``/async-function/<name>`` may post a function's answer (``X-Callback-Url``).

The answer can be anything the function returns for its caller (a user's profile,
say), and the gateway sits inside the network: posting it wherever a caller asks
would let anyone make the gateway call internal services (SSRF). So a callback
goes only to a host on ``EMS_CALLBACK_HOSTS`` (comma-separated names or addresses,
empty by default: no callbacks), over http or https, without following redirects;
and a listed name is never followed to a loopback, link-local or otherwise special
address unless that address is listed too (the check is made on the addresses the
connection actually uses, so DNS cannot change its answer in between).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver


class CallbackRefused(ValueError):
    """The URL is not one the gateway posts to; the message says why."""


def allowed_hosts(raw: str | None) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in (raw or "").split(",") if part.strip())


def check(url: str, allowed: frozenset[str]) -> None:
    """Refuse a callback URL whose scheme or host is not allowed."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CallbackRefused("X-Callback-Url must be an http or https URL")
    if parts.hostname.lower() not in allowed:
        raise CallbackRefused(
            f"callbacks to {parts.hostname} are not allowed"
            " (EMS_CALLBACK_HOSTS lists the hosts that are)"
        )


def _special(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or (ip.is_reserved)
    )


class CallbackResolver(ThreadedResolver):
    """Resolves a listed name to the addresses a callback may reach, never a special one
    that is not itself listed."""

    def __init__(self, allowed: frozenset[str]):
        super().__init__()
        self.allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await super().resolve(host, port, family)
        usable = [r for r in found if r["host"] in self.allowed or not _special(r["host"])]
        if not usable:
            raise OSError(f"{host} resolves only to addresses callbacks may not reach")
        return usable
