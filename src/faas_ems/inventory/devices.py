"""Devices: the rules the inventory functions apply, and how devices are stored.

Each change runs in one transaction that also queues its event in the outbox
(``device.created|updated|deleted``, or ``assigned|unassigned`` from
:mod:`.assignment`, with the device's ``version``); it is published once the
transaction has committed.
"""

from __future__ import annotations

import re
from typing import Any

from psycopg import errors, sql

from faas_ems.runtime import db, outbox, paging
from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import Conflict, NotFound
from faas_ems.runtime.validation import UUID_PATTERN, Field, timezone_problem

# Printable, no spaces or slashes: it appears in MQTT topics (meters/<meter_id>/reading).
METER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

FIELDS = {
    "name": Field(max_length=100),
    "description": Field(required=False, max_length=500),
    "address": Field(required=False, max_length=200),
    "max_hourly_kwh": Field(kind=float, minimum=0.0001, maximum=100000),
    "timezone": Field(required=False, max_length=64, check=timezone_problem),
    # null clears it
    "meter_id": Field(required=False, nullable=True, max_length=64, pattern=METER_ID),
    # monitoring's tariff; only its shape is checked here (monitoring owns tariffs), null clears it
    "tariff_id": Field(required=False, nullable=True, pattern=UUID_PATTERN),
}

PUBLIC = (
    "id",
    "name",
    "description",
    "address",
    "max_hourly_kwh",
    "timezone",
    "meter_id",
    "tariff_id",
    "owner_id",
    "created_at",
    "updated_at",
)
COLUMNS = sql.SQL(", ").join(map(sql.Identifier, (*PUBLIC, "version")))


def representation(row: dict) -> dict[str, Any]:
    return {name: row[name] for name in PUBLIC}


def event_data(row: dict) -> dict[str, Any]:
    return {**representation(row), "version": row["version"]}


# reads ------------------------------------------------------------------------
SORTS = {
    "name": sql.SQL("lower(name)"),
    "meter_id": sql.Identifier("meter_id"),
    "address": sql.SQL("lower(address)"),
    "owner_id": sql.Identifier("owner_id"),
    "created_at": sql.Identifier("created_at"),
}


def visible_page(
    caller: Caller, page: paging.Page, owner_id: str | None = None
) -> tuple[list[dict], int]:
    """One page of the devices the caller may see: all for an administrator, a
    client's own for a client. ``page.q`` matches name, meter number or address
    anywhere; ``owner_id`` (administrators) keeps one user's devices."""
    query = sql.SQL("SELECT {} FROM devices WHERE true").format(COLUMNS)
    params: list[str] = []
    if not caller.is_admin:
        query += sql.SQL(" AND owner_id = %s")
        params.append(caller.id)
    elif owner_id:
        query += sql.SQL(" AND owner_id = %s")
        params.append(owner_id)
    if page.q:
        query += sql.SQL(" AND (name ILIKE %s OR meter_id ILIKE %s OR address ILIKE %s)")
        params += [db.contains(page.q)] * 3
    with db.connection() as conn:
        return paging.fetch(conn, query, params, page, SORTS)


def find(conn, device_id: str, *, lock: bool = False) -> dict | None:
    query = sql.SQL("SELECT {} FROM devices WHERE id = %s").format(COLUMNS)
    if lock:
        query += sql.SQL(" FOR UPDATE")
    return conn.execute(query, [device_id]).fetchone()


def get(device_id: str, caller: Caller) -> dict:
    """One device, if the caller may see it; someone else's device is not found."""
    with db.connection() as conn:
        row = find(conn, device_id)
    if row is None or not caller.may_see(row["owner_id"]):
        raise NotFound("device")
    return row


# changes ----------------------------------------------------------------------
def _unique_meter_id(run):
    """Run a write; a meter number another device has becomes a 409 naming the field."""
    try:
        return run()
    except errors.UniqueViolation:
        raise Conflict(
            "that meter_id belongs to another device",
            fields={"meter_id": "belongs to another device"},
        ) from None


def create(fields: dict[str, Any]) -> dict:
    query = sql.SQL("INSERT INTO devices ({}) VALUES ({}) RETURNING {}").format(
        sql.SQL(", ").join(map(sql.Identifier, fields)),
        sql.SQL(", ").join(sql.Placeholder() * len(fields)),
        COLUMNS,
    )

    def insert():
        with db.connection() as conn:
            row = conn.execute(query, list(fields.values())).fetchone()
            outbox.add(conn, "device.created", event_data(row))
        return row

    row = _unique_meter_id(insert)
    outbox.flush()
    return row


def update(device_id: str, changes: dict[str, Any]) -> dict:
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder()) for column in changes
    )
    query = sql.SQL(
        "UPDATE devices SET {}, version = version + 1, updated_at = now()"
        " WHERE id = %s RETURNING {}"
    ).format(assignments, COLUMNS)

    def change():
        with db.connection() as conn:
            row = conn.execute(query, [*changes.values(), device_id]).fetchone()
            if row is None:
                raise NotFound("device")
            outbox.add(conn, "device.updated", event_data(row))
        return row

    row = _unique_meter_id(change)
    outbox.flush()
    return row


def delete(device_id: str) -> None:
    with db.connection() as conn:
        row = conn.execute(
            "DELETE FROM devices WHERE id = %s RETURNING version", [device_id]
        ).fetchone()
        if row is None:
            raise NotFound("device")
        outbox.add(conn, "device.deleted", {"id": device_id, "version": row["version"] + 1})
    outbox.flush()
