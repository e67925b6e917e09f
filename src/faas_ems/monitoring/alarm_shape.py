"""How an alarm (an over-limit alert or an early warning) looks to the API and events.

One shape for the list, one alarm, ``alert.raised`` and ``alert.warning``, so that a
browser told of an alarm finds it in the list as it was told. ``hour_start`` is the
first hour of a grouped alarm, ``last_hour_start`` the latest, ``hours`` how many.
"""

from __future__ import annotations

from datetime import UTC, datetime

COLUMNS = (
    "a.id, a.device_id, a.owner_id, a.hour_start, a.last_hour_start, a.hours, a.total_kwh,"
    " a.limit_kwh, a.projected_kwh, a.severity, a.state, a.raised_at, a.acknowledged_at,"
    " a.acknowledged_by, a.acknowledged_note, a.cleared_at, a.cleared_by"
)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def _id(value) -> str | None:
    return None if value is None else str(value)


def shape(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "device_id": str(row["device_id"]),
        "hour_start": _utc(row["hour_start"]),
        "last_hour_start": _utc(row["last_hour_start"]),
        "hours": row["hours"],
        "total_kwh": row["total_kwh"],
        "limit_kwh": row["limit_kwh"],
        "projected_kwh": row["projected_kwh"],
        "severity": row["severity"],
        "state": row["state"],
        "raised_at": _utc(row["raised_at"]),
        "acknowledged_at": _utc(row["acknowledged_at"]),
        "acknowledged_by": _id(row["acknowledged_by"]),
        "acknowledged_note": row["acknowledged_note"],
        "cleared_at": _utc(row["cleared_at"]),
        "cleared_by": _id(row["cleared_by"]),
    }


def event_data(row: dict, device_name: str) -> dict:
    """An event's data: the alarm as the API shows it, its owner (for routing) and device name."""
    data = {key: _json(value) for key, value in shape(row).items()}
    data["owner_id"] = _id(row["owner_id"])
    data["device_name"] = device_name
    return data


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return float(value)  # numeric columns: events carry numbers, as before
