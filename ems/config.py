"""Configuration of a one-machine run, from the environment and an optional ``.env``.

Every key is documented in ``.env.example``. Development secrets that are not
given (the tokens, and the passwords of faas-ems's own PostgreSQL role and
RabbitMQ user) are generated once and kept in ``.ems/secrets`` (ignored by git),
so that tokens stay valid across restarts and nothing secret is ever committed.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from faas_ems.runtime.settings import Platform

from . import broker_accounts
from .paths import ROOT, STACK_FILE, STATE

# The components' own broker accounts (ems.broker_accounts), made with ``ems``.
BROKER_ACCOUNT_SECRETS = tuple(broker_accounts.secret_names())
SECRET_NAMES = (
    "jwt-secret",
    "internal-token",
    "basic-auth-user",
    "basic-auth-password",
    "db-password",
    "rabbitmq-password",
    *BROKER_ACCOUNT_SECRETS,
    "redis-password",
    "gemini-api-key",
    "smtp-password",
)
GENERATED_TOKENS = ("jwt-secret", "internal-token", "basic-auth-password")
# The gateway's management API (/system/*) asks for these, as OpenFaaS's does.
GATEWAY_USER = "admin"
# The accounts that the set-up makes for faas-ems itself (see ems.services), and where
# their passwords are kept for every checkout on this machine.
OWN_ACCOUNT = "ems"
MACHINE_SECRETS = Path("/var/lib/faas-ems/secrets")

DEFAULTS = {
    "EMS_BIND": "127.0.0.1",
    "EMS_PORT": "8080",
    "DB_HOST": "127.0.0.1",
    "DB_PORT": "5432",
    "DB_USER": OWN_ACCOUNT,
    "AMQP_URL": f"amqp://{OWN_ACCOUNT}@127.0.0.1:5672/%2F",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMS_EXCHANGE": "ems",
    "EMS_DB_PREFIX": "ems_",
    "EMS_KEY_PREFIX": "ems:",
    "EMS_ADMIN_USERNAME": "admin",
    "EMS_ADMIN_PASSWORD": "admin-change-me",
    # Meters' MQTT door: RabbitMQ's own plugin, set up with the broker (ems.services.rabbitmq)
    "EMS_MQTT": "1",
    "EMS_MQTT_PORT": "1884",
}


@dataclass
class Config:
    values: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)
    state_dir: Path = STATE

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    @property
    def stack_file(self) -> Path:
        return Path(self.values.get("EMS_STACK_FILE") or STACK_FILE)

    @property
    def port(self) -> int:
        return int(self.values["EMS_PORT"])

    @property
    def gateway_credentials(self) -> tuple[str, str]:
        """What ``/system/*`` asks for (basic auth): user and password."""
        return self.secrets["basic-auth-user"], self.secrets["basic-auth-password"]

    @property
    def url(self) -> str:
        return f"http://{self.values['EMS_BIND']}:{self.port}"

    def child_env(self, kind: type[Platform]) -> dict[str, str]:
        """What a process of this kind gets from this machine: exactly the variables its
        settings class declares (secrets excluded: see :meth:`secret_env`). For a function
        these win over stack.yml's Swarm values."""
        wanted = kind.variables()
        env = {key: value for key, value in self.values.items() if key in wanted}
        env["GATEWAY_URL"] = self.values.get("GATEWAY_URL") or f"http://127.0.0.1:{self.port}"
        return env

    def secret_env(self, names) -> dict[str, str]:
        """Secrets as the environment fallback of ``faas_ems.runtime.settings.secret``.

        On a broker that is not faas-ems's own (an ``AMQP_URL`` of the operator's), the
        components have no accounts of their own: they get the shared password instead.
        """
        names = [
            "rabbitmq-password" if name in BROKER_ACCOUNT_SECRETS and name not in self.secrets
            else name
            for name in names
        ]  # fmt: skip
        return {
            name.upper().replace("-", "_"): self.secrets[name]
            for name in names
            if name in self.secrets
        }


def load(overrides: dict[str, str] | None = None) -> Config:
    values = dict(DEFAULTS)
    values.update({k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None})
    # All of it: each child gets only what its settings class declares (child_env).
    values.update(os.environ)
    values.update(overrides or {})
    state_dir = Path(values.get("EMS_STATE_DIR") or STATE)
    return Config(values=values, secrets=_secrets(values, state_dir), state_dir=state_dir)


def _own_accounts(values: dict[str, str]) -> set[str]:
    """The passwords of faas-ems's own accounts that the settings leave to this machine."""
    names = set()
    if values["DB_USER"] == OWN_ACCOUNT:
        names.add("db-password")
    amqp = urlsplit(values["AMQP_URL"])
    if amqp.username == OWN_ACCOUNT and amqp.password is None:
        names.update(["rabbitmq-password", *BROKER_ACCOUNT_SECRETS])
    return names


def _secrets(values: dict[str, str], state_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    stored = state_dir / "secrets"
    accounts = _own_accounts(values)
    for name in SECRET_NAMES:
        env_name = name.upper().replace("-", "_")
        value = os.environ.get(env_name) or values.get(env_name)
        if not value and (name in GENERATED_TOKENS or name in accounts):
            path = stored / name
            if not path.is_file():
                _keep(path, _machine_password(name) if name in accounts else None)
            value = path.read_text().strip()
        if value:
            found[name] = value
    found.setdefault("basic-auth-user", GATEWAY_USER)
    return found


def _machine_password(name: str) -> str:
    """The password of one of faas-ems's own accounts on this machine's servers.

    The accounts belong to the machine, not to one checkout: the first set-up makes
    the password and keeps it in MACHINE_SECRETS (root's, when run as root), and every
    later checkout takes the same one instead of resetting the account under the
    others' feet.
    """
    shared = MACHINE_SECRETS / name
    if os.access(shared, os.R_OK):
        return shared.read_text().strip()
    password = secrets.token_urlsafe(32)
    if os.geteuid() == 0:
        MACHINE_SECRETS.mkdir(mode=0o700, parents=True, exist_ok=True)
        shared.write_text(password)
        shared.chmod(0o600)
    return password


def _keep(path: Path, value: str | None) -> None:
    """Write a secret (a new one if none is given), mode 600, owned by whoever owns the
    checkout's state folder's parent, so that a one-off `sudo make services` leaves
    files its user can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value or secrets.token_urlsafe(32))
    path.chmod(0o600)
    owner = path.parent.parent.parent.stat()
    if os.geteuid() == 0 and owner.st_uid != 0:
        for made in (path.parent.parent, path.parent, path):
            os.chown(made, owner.st_uid, owner.st_gid)
