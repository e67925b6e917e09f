"""A real SMTP server on loopback (aiosmtpd) that keeps every message it is handed.

Not a fake: faas-ems speaks SMTP to it exactly as to any mail server; the test reads
what arrived (envelope recipients, headers, text).
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from ems.processes import free_port


class Mailbox:
    """``with Mailbox() as box:`` an SMTP server at ``box.host:box.port``."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self._messages: list[tuple[list[str], EmailMessage, float]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append((list(envelope.rcpt_tos), message, time.monotonic()))
        return "250 OK"

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        """Every message whose envelope named ``address``, in arrival order."""
        with self._lock:
            return [message for rcpts, message, _ in self._messages if address in rcpts]

    def arrivals(self) -> dict[str, float]:
        """When each alert's message arrived (``time.monotonic()``), by its X-EMS-Alert."""
        with self._lock:
            return {message["X-EMS-Alert"]: at for _, message, at in self._messages}

    @property
    def settings(self) -> dict[str, str]:
        """What ``ems up`` needs to send here."""
        return {
            "SMTP_HOST": self.host,
            "SMTP_PORT": str(self.port),
            "SMTP_TLS": "none",
            "SMTP_FROM": "faas-ems alerts <alerts@ems.test>",
        }
