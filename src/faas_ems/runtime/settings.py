"""Every faas-ems process's settings: one object, read once, on pydantic-settings.

A setting is an environment variable named like its field (``DB_POOL_SIZE`` ->
``db_pool_size``). A secret is read from ``/var/openfaas/secrets/<name>`` first
(where OpenFaaS and Docker Swarm mount them; ``EMS_SECRETS_DIR`` moves it), then from
the environment variable of the same name in upper case with dashes turned into
underscores (``jwt-secret`` -> ``JWT_SECRET``), which is how a developer's machine
gives them.

Each kind of process has a class: :class:`FunctionSettings` for every function,
and the connector's and the hub's beside their code, all built on :class:`Platform`.
``ems up`` hands each child exactly the variables its class declares
(:meth:`Platform.variables`). The entry point of a process calls
:func:`load` with its class; the runtime's modules then read :func:`current`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

SECRETS_DIR = Path(os.environ.get("EMS_SECRETS_DIR", "/var/openfaas/secrets"))


def secret(name: str, *, required: bool = False) -> Any:
    """A field read from the secret file ``name``, else from its environment variable."""
    variable = name.replace("-", "_")
    default = ... if required else None
    return Field(default, validation_alias=AliasChoices(name, variable), repr=False)


class MissingSetting(RuntimeError):
    """A required setting or secret is not configured."""


class Platform(BaseSettings):
    """What every process shares: where the databases, the broker and Redis are."""

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = "postgres"
    db_password: str | None = secret("db-password")
    db_pool_size: int = 8
    # How long a call waits for a pooled connection (while the database is away) before
    # it is answered 503.
    db_pool_timeout_seconds: float = 5.0
    ems_db_prefix: str = "ems_"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    rabbitmq_password: str | None = secret("rabbitmq-password")
    # The component's own broker account (ems.broker_accounts): user ``ems-<role>`` with
    # the password in the secret ``rabbitmq-<role>``. Without that secret, AMQP_URL's.
    rabbitmq_account: str | None = None
    ems_exchange: str = "ems"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_password: str | None = secret("redis-password")
    # Prefix of every Redis key, so that several systems (or test runs) share a Redis.
    ems_key_prefix: str = "ems:"
    gateway_url: str = "http://127.0.0.1:8080"
    internal_token: str | None = secret("internal-token")
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Secret files win over the environment: the orchestrator's word is final."""
        return init_settings, file_secret_settings, env_settings, dotenv_settings

    @classmethod
    def read(cls, **values: Any):
        """The settings as the environment and the secret files give them now."""
        secrets_dir = SECRETS_DIR if SECRETS_DIR.is_dir() else None
        return cls(_secrets_dir=secrets_dir, **values)

    @classmethod
    def variables(cls) -> set[str]:
        """Every environment variable this kind of process reads."""
        names = set()
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
            names.update(str(choice).upper() for choice in choices if "-" not in str(choice))
        return names

    def required(self, name: str) -> str:
        """A setting or secret this call cannot do without."""
        value = getattr(self, name)
        if value is None:
            raise MissingSetting(
                f"{name} is not configured (secret file in {SECRETS_DIR}"
                f" or environment variable {name.upper()})"
            )
        return value

    @model_validator(mode="after")
    def _passwords_in_urls(self):
        """The broker's and Redis's passwords may come as secrets: put them in the URLs."""
        own = self.rabbitmq_account and read_secret(f"rabbitmq-{self.rabbitmq_account}")
        if own:
            self.amqp_url = _with_password(self.amqp_url, own, f"ems-{self.rabbitmq_account}")
        else:
            self.amqp_url = _with_password(self.amqp_url, self.rabbitmq_password)
        self.redis_url = _with_password(self.redis_url, self.redis_password)
        self.gateway_url = self.gateway_url.rstrip("/")
        return self

    @property
    def exchange(self) -> str:
        return self.ems_exchange

    @property
    def key_prefix(self) -> str:
        return self.ems_key_prefix

    def database_name(self, context: str) -> str:
        """The database a bounded context owns: ``ems_identity``, ``ems_monitoring``, ..."""
        return self.ems_db_prefix + context


class TokenSettings(Platform):
    """What a process that issues or checks users' tokens needs (functions, the hub)."""

    jwt_secret: str | None = secret("jwt-secret")
    jwt_ttl_seconds: int = 8 * 3600


class FunctionSettings(TokenSettings):
    """What the functions read, their domain's knobs included."""

    ems_context: str | None = None
    ems_function: str = "ems"
    ems_self_registration: bool = True
    login_failure_window_seconds: int = 900
    login_max_failures_per_user_and_address: int = 5
    login_max_failures_per_address: int = 20
    login_user_failures_before_delay: int = 10
    login_max_delay_seconds: int = 900
    password_hashes_at_once: int = 2
    registrations_per_address: int = 10
    registration_window_seconds: int = 3600
    outbox_relay_seconds: int = 15
    monitoring_reading_interval_seconds: int = 600
    monitoring_readings_retention_days: int = 0
    # alarms (docs/alarms.md): "far over" is a total above limit x (1 + margin); over-limit
    # hours of a device this close to its open alarm's join it; the early warning's model
    monitoring_far_over_limit_margin: float = Field(0.5, ge=0)
    monitoring_alarm_group_hours: int = Field(6, ge=0)
    monitoring_warning_history_days: int = Field(7, ge=0)
    monitoring_warning_min_readings: int = Field(3, ge=1)
    monitoring_warning_threshold: float = Field(1.05, gt=0)
    chat_max_messages_per_minute: int = 20
    chat_facts_timeout_seconds: float = 5
    gemini_api_key: str | None = secret("gemini-api-key")
    gemini_base_url: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_timeout_seconds: float = 8
    # dead-letters: where the connector's and the hub's queues are, and the gateway's
    # basic auth for listing the functions whose dead letters to sweep
    connector_queue_prefix: str = "ems."
    hub_queue: str = "ems.socket-hub"
    basic_auth_user: str | None = secret("basic-auth-user")
    basic_auth_password: str | None = secret("basic-auth-password")
    # notifications: e-mail over SMTP (no host: e-mail is off and recorded as skipped)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = secret("smtp-password")
    smtp_from: str = "faas-ems <alerts@localhost>"
    smtp_timeout_seconds: float = 10
    # notifications: webhooks go to public addresses only, and to these networks
    # (comma-separated CIDRs, e.g. 127.0.0.0/8 for a receiver on this machine)
    notify_webhook_allowed_networks: str = ""
    notify_webhook_timeout_seconds: float = 5


def read_secret(name: str) -> str | None:
    """A secret named at run time: its file in SECRETS_DIR, else its environment variable."""
    path = SECRETS_DIR / name
    if path.is_file():
        return path.read_text().strip() or None
    return os.environ.get(name.upper().replace("-", "_")) or None


def _with_password(url: str, password: str | None, user: str | None = None) -> str:
    if not password:
        return url
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    user = quote(user, safe="") if user else parts.username or ""
    netloc = f"{user}:{quote(password, safe='')}@{parts.hostname or ''}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


S = TypeVar("S", bound=Platform)
_current: Platform | None = None


def load(kind: type[S]) -> S:
    """Read this process's settings (once, at start: its entry point says which kind)."""
    global _current
    _current = kind.read()
    return _current


def current() -> FunctionSettings:
    """This process's settings; a function's unless its entry point loaded another kind."""
    return _current if _current is not None else load(FunctionSettings)  # type: ignore[return-value]
