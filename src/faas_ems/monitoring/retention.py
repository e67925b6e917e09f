"""How long raw readings are kept, and pruning the older ones.

No view reads raw readings: hours come from hourly_totals, days from daily_totals,
and half-hour zones from quarter_totals. A stored reading serves to tell a
redelivered reading from a new one, so it needs keeping only as long as a reading
may still arrive. ``MONITORING_READINGS_RETENTION_DAYS`` (0, the default: forever)
sets that. Ingest refuses readings older than it, since they could not be told from
ones already counted, and hourly-aggregate deletes the stored ones past it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from faas_ems.runtime import settings

# Rows per delete statement, so that pruning a backlog never holds one long transaction.
PRUNE_BATCH = 50_000

_PRUNE = """
DELETE FROM readings r
 USING (SELECT device_id, taken_at FROM readings WHERE taken_at < %(before)s LIMIT %(batch)s) old
 WHERE r.device_id = old.device_id AND r.taken_at = old.taken_at
"""


def oldest_kept(now: datetime) -> datetime | None:
    """The earliest reading time still accepted and kept; None when kept forever."""
    days = settings.current().monitoring_readings_retention_days
    return now - timedelta(days=days) if days > 0 else None


def prune(connect, now: datetime) -> int:
    """Delete the readings older than the retention period, batch by batch; return how many."""
    before = oldest_kept(now)
    if before is None:
        return 0
    pruned = 0
    while True:
        with connect() as conn:
            deleted = conn.execute(_PRUNE, {"before": before, "batch": PRUNE_BATCH}).rowcount
        pruned += deleted
        if deleted < PRUNE_BATCH:
            return pruned
