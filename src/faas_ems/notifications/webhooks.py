"""Signed webhook deliveries: one POST of JSON, checked where it connects.

The receiver proves the call is ours with ``X-EMS-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``<X-EMS-Timestamp>.<raw body>`` keyed with the user's webhook secret;
the timestamp (Unix seconds) is signed with the body, so a captured call cannot be
replayed later with a fresh one (docs/notifications.md shows how to verify).
Redirects are not followed; the address connected to must pass
:func:`destinations.address_allowed` before a byte is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

from faas_ems.runtime import settings

from . import destinations

SIGNATURE_HEADER = "X-EMS-Signature"
TIMESTAMP_HEADER = "X-EMS-Timestamp"
DELIVERY_HEADER = "X-EMS-Delivery"
USER_AGENT = "faas-ems-webhook/1"


class WebhookFailed(Exception):
    """The receiver could not be reached or did not answer 2xx; worth trying again."""


class AddressRefused(Exception):
    """The URL leads to an address this system never sends to; trying again cannot help."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _PeerChecked(http.client.HTTPConnection):
    """Refuses the connection once open if its peer is not an allowed address; for
    https this runs before the TLS handshake (see :class:`_PeerCheckedTLS`)."""

    def connect(self):
        super().connect()
        peer = self.sock.getpeername()[0]
        if not destinations.address_allowed(peer):
            self.sock.close()
            raise AddressRefused(f"{self.host} resolves to {peer}, an address not sent to")


class _PeerCheckedTLS(http.client.HTTPSConnection, _PeerChecked):
    """HTTPSConnection.connect calls the plain connect (checked), then wraps it in TLS."""


def deliver(url: str, secret: str, payload: dict, delivery_id: str) -> int:
    """POST ``payload`` signed; the receiver's status, or WebhookFailed/AddressRefused."""
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    timestamp = str(int(time.time()))
    parts = urlsplit(url)
    timeout = settings.current().notify_webhook_timeout_seconds
    if parts.scheme == "https":
        conn = _PeerCheckedTLS(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = _PeerChecked(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: delivery_id,
    }
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read(2048).decode("utf-8", "replace")
    except AddressRefused:
        raise
    except (OSError, http.client.HTTPException) as problem:
        raise WebhookFailed(f"{type(problem).__name__}: {problem}") from None
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise WebhookFailed(f"the receiver answered {response.status}: {answer[:200]}")
    return response.status
