"""The context databases: create them, migrate them (yoyo), seed the administrator."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from yoyo import get_backend, read_migrations

from .config import Config
from .paths import CONTEXTS


def contexts() -> list[str]:
    """Every bounded context that ships migrations, in a stable order."""
    return sorted(path.parent.name for path in CONTEXTS.glob("*/migrations") if path.is_dir())


def conninfo(config: Config, dbname: str = "postgres") -> str:
    """A quoted libpq connection string for the configured account."""
    return make_conninfo(
        host=config.values["DB_HOST"],
        port=config.values["DB_PORT"],
        user=config.values["DB_USER"],
        password=config.secrets.get("db-password"),
        dbname=dbname,
        connect_timeout=5,
    )


def database_name(config: Config, context: str) -> str:
    return config.values["EMS_DB_PREFIX"] + context


def create_missing(config: Config) -> list[str]:
    created = []
    with psycopg.connect(conninfo(config, "postgres"), autocommit=True) as conn:
        for context in contexts():
            name = database_name(config, context)
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created.append(name)
    return created


def migration_url(config: Config, context: str) -> str:
    """yoyo's URL for a context's database, every part quoted."""
    password = config.secrets.get("db-password")
    return (
        f"postgresql+psycopg://{quote(config.values['DB_USER'], safe='')}"
        f"{':' + quote(password, safe='') if password else ''}"
        f"@{config.values['DB_HOST']}:{config.values['DB_PORT']}"
        f"/{quote(database_name(config, context), safe='')}"
    )


def migrate(config: Config) -> dict[str, int]:
    """Apply each context's pending migrations; return how many ran per context."""
    applied = {}
    for context in contexts():
        backend = get_backend(migration_url(config, context))
        migrations = read_migrations(str(CONTEXTS / context / "migrations"))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        applied[context] = len(pending)
    return applied


def seed_admin(config: Config) -> bool:
    """Create the configured administrator unless that username exists."""
    if "identity" not in contexts():
        return False
    from faas_ems.identity import seed

    with psycopg.connect(conninfo(config, database_name(config, "identity"))) as conn:
        return seed.ensure_admin(
            conn, config.values["EMS_ADMIN_USERNAME"], config.values["EMS_ADMIN_PASSWORD"]
        )
