"""Configuration for every process: environment variables, and secrets.

Secrets are read from ``/var/openfaas/secrets/<name>`` first (where OpenFaaS and
Docker Swarm mount them), then from the environment variable of the same name in
upper case with dashes turned into underscores (``jwt-secret`` -> ``JWT_SECRET``),
which is how a developer's machine provides them.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

SECRETS_DIR = Path(os.environ.get("EMS_SECRETS_DIR", "/var/openfaas/secrets"))


class MissingSetting(RuntimeError):
    """A required setting or secret is not configured."""


def setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise MissingSetting(f"environment variable {name} is not set")
    return value


def int_setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def bool_setting(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def secret(name: str, default: str | None = None) -> str:
    """Return a secret by its OpenFaaS name, e.g. ``secret("jwt-secret")``."""
    path = SECRETS_DIR / name
    if path.is_file():
        return path.read_text().strip()
    value = os.environ.get(name.upper().replace("-", "_"), default)
    if value is None:
        raise MissingSetting(f"secret {name} is neither in {SECRETS_DIR} nor in the environment")
    return value


def optional_secret(name: str) -> str | None:
    try:
        return secret(name)
    except MissingSetting:
        return None


def _with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    parts = urlsplit(url)
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:{quote(password, safe='')}@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@cache
def amqp_url() -> str:
    """RabbitMQ URL; the password may come from the ``rabbitmq-password`` secret."""
    url = setting("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    return _with_password(url, optional_secret("rabbitmq-password"))


def exchange_name() -> str:
    return setting("EMS_EXCHANGE", "ems")


@cache
def redis_url() -> str:
    url = setting("REDIS_URL", "redis://127.0.0.1:6379/0")
    return _with_password(url, optional_secret("redis-password"))


def key_prefix() -> str:
    """Prefix of every Redis key, so that several systems (or test runs) share a Redis."""
    return setting("EMS_KEY_PREFIX", "ems:")


def database_name(context: str) -> str:
    """The database a bounded context owns: ``ems_identity``, ``ems_monitoring``, ..."""
    return setting("EMS_DB_PREFIX", "ems_") + context


def database_conninfo(context: str | None = None) -> str:
    """libpq connection string for a context's database (``EMS_CONTEXT`` by default)."""
    context = context or setting("EMS_CONTEXT")
    parts = {
        "host": setting("DB_HOST", "127.0.0.1"),
        "port": setting("DB_PORT", "5432"),
        "user": setting("DB_USER", "postgres"),
        "dbname": database_name(context),
        "application_name": setting("EMS_FUNCTION", "ems"),
    }
    password = optional_secret("db-password")
    if password:
        parts["password"] = password
    return " ".join(f"{key}={_quote_conninfo(value)}" for key, value in parts.items())


def _quote_conninfo(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def gateway_url() -> str:
    return setting("GATEWAY_URL", "http://127.0.0.1:8080").rstrip("/")
