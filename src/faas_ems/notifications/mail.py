"""E-mail over SMTP with the standard library, as ``SMTP_*`` configure it."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from faas_ems.runtime import settings


class MailFailed(Exception):
    """The server could not be reached or refused the message; the text says why."""


def configured() -> bool:
    return bool(settings.current().smtp_host)


def where() -> str:
    """Where mail goes, for the logs (never the password)."""
    cfg = settings.current()
    return describe(cfg.smtp_host, cfg.smtp_port, cfg.smtp_tls, cfg.smtp_user)


def describe(host: str | None, port, tls: str, user: str | None) -> str:
    """``smtp://user@host:port (TLS: mode)``, or why no mail is sent (``ems up`` prints it)."""
    if not host:
        return "off (SMTP_HOST is not set)"
    return f"smtp://{user + '@' if user else ''}{host}:{port} (TLS: {tls})"


def send(message: EmailMessage) -> None:
    cfg = settings.current()
    context = ssl.create_default_context()
    try:
        if cfg.smtp_tls == "tls":
            server = smtplib.SMTP_SSL(
                cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_seconds, context=context
            )
        else:
            server = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_seconds)
        with server:
            if cfg.smtp_tls == "starttls":
                server.starttls(context=context)
            if cfg.smtp_user:
                server.login(cfg.smtp_user, cfg.required("smtp_password"))
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as problem:
        raise MailFailed(f"{type(problem).__name__}: {problem}") from None
