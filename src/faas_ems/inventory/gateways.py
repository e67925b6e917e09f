"""Gateway credentials: one secret for a meter gateway that posts for several devices.

A DSMR P1 reader, a Home Assistant or a data concentrator sends the readings of many
meters over HTTP; giving it one credential per meter would make it juggle secrets.
An administrator makes a gateway credential, names the devices it covers, and may
change that list later; the secret is shown once and kept as its SHA-256, as a meter's
(see the inventory migration 0003). Gateways use the HTTP door only: over MQTT each
meter has its own topic and so its own credential.
"""

from __future__ import annotations

from faas_ems.runtime import db
from faas_ems.runtime.errors import Invalid, NotFound
from faas_ems.runtime.validation import UUID_PATTERN, Field

from .credentials import SHOWN_PREFIX, Coverage, Covered, digest, new_secret

MAX_DEVICES = 10_000


def _device_ids_problem(value: list) -> str | None:
    if len(value) > MAX_DEVICES:
        return f"must list at most {MAX_DEVICES} devices"
    if not all(isinstance(item, str) and UUID_PATTERN.match(item) for item in value):
        return "must be a list of device ids"
    return None


FIELDS = {
    "name": Field(max_length=100),
    "device_ids": Field(kind=list, check=_device_ids_problem),
}

_SELECT = """
SELECT g.id, g.name, g.prefix, g.created_at, g.last_used_at,
       coalesce(array_agg(gd.device_id::text ORDER BY gd.device_id)
                FILTER (WHERE gd.device_id IS NOT NULL), ARRAY[]::text[]) AS device_ids
  FROM gateway_credentials g LEFT JOIN gateway_devices gd ON gd.gateway_id = g.id
 WHERE {where}
 GROUP BY g.id
 ORDER BY g.created_at, g.id
"""


def _set_devices(conn, gateway_id: str, device_ids: list[str]) -> None:
    wanted = sorted({device_id.lower() for device_id in device_ids})
    known = {
        row["id"]
        for row in conn.execute(
            "SELECT id::text FROM devices WHERE id = ANY(%s::uuid[])", [wanted]
        ).fetchall()
    }
    unknown = [device_id for device_id in wanted if device_id not in known]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        shown = ", ".join(unknown[:5]) + more
        raise Invalid(f"no such device: {shown}", fields={"device_ids": f"unknown: {shown}"})
    conn.execute("DELETE FROM gateway_devices WHERE gateway_id = %s", [gateway_id])
    conn.execute(
        "INSERT INTO gateway_devices (gateway_id, device_id) SELECT %s, unnest(%s::uuid[])",
        [gateway_id, wanted],
    )


def _one(conn, gateway_id: str) -> dict:
    row = conn.execute(_SELECT.format(where="g.id = %s"), [gateway_id]).fetchone()
    if row is None:
        raise NotFound("gateway")
    return row


def create(fields: dict) -> dict:
    """A new gateway credential, with its secret (the only time it is known)."""
    secret = new_secret()
    with db.connection() as conn, conn.transaction():
        gateway_id = conn.execute(
            "INSERT INTO gateway_credentials (name, secret_sha256, prefix)"
            " VALUES (%s, %s, %s) RETURNING id::text",
            [fields["name"], digest(secret), secret[:SHOWN_PREFIX]],
        ).fetchone()["id"]
        _set_devices(conn, gateway_id, fields["device_ids"])
        return {**_one(conn, gateway_id), "secret": secret}


def all_gateways() -> list[dict]:
    with db.connection() as conn:
        return conn.execute(_SELECT.format(where="true")).fetchall()


def get(gateway_id: str) -> dict:
    with db.connection() as conn:
        return _one(conn, gateway_id)


def update(gateway_id: str, changes: dict) -> dict:
    """Rename it or change the devices it covers; its secret stays."""
    with db.connection() as conn, conn.transaction():
        _one(conn, gateway_id)
        if "name" in changes:
            conn.execute(
                "UPDATE gateway_credentials SET name = %s WHERE id = %s",
                [changes["name"], gateway_id],
            )
        if "device_ids" in changes:
            _set_devices(conn, gateway_id, changes["device_ids"])
        return _one(conn, gateway_id)


def revoke(gateway_id: str) -> None:
    with db.connection() as conn:
        deleted = conn.execute(
            "DELETE FROM gateway_credentials WHERE id = %s", [gateway_id]
        ).rowcount
    if not deleted:
        raise NotFound("gateway")


_CHECK = """
WITH found AS (
    SELECT id FROM gateway_credentials WHERE secret_sha256 = %s
), used AS (
    UPDATE gateway_credentials g SET last_used_at = now()
      FROM found
     WHERE g.id = found.id
       AND (g.last_used_at IS NULL OR g.last_used_at < now() - interval '1 minute')
)
SELECT found.id::text AS gateway_id, d.id::text AS device_id, d.meter_id, d.timezone
  FROM found
  LEFT JOIN gateway_devices gd ON gd.gateway_id = found.id
  LEFT JOIN devices d ON d.id = gd.device_id
"""


def by_secret(secret: str) -> Coverage | None:
    """The devices this gateway secret covers (an HTTP call), or None if it is none."""
    with db.connection() as conn:
        rows = conn.execute(_CHECK, [digest(secret)]).fetchall()
    if not rows:
        return None
    return Coverage(
        [Covered(r["device_id"], r["meter_id"], r["timezone"]) for r in rows if r["device_id"]]
    )
