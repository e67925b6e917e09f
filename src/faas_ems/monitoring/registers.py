"""Register readings (the meter's cumulative kWh index) turned into energy per interval.

The energy between two consecutive register readings of a device, by timestamp,
belongs to the later one's interval, and counts in its hour like an interval reading
that ends at that time:

- the first register reading of a device (by time) only sets the baseline;
- a register lower than the one before is a reset or a replaced meter: the new value
  is what was used since it counted from zero, and the reading is kept as a reset
  (``register_kwh < register_from``), shown with the device;
- a gap (readings missing in between) puts the whole difference in the later
  reading's interval: nothing is spread over hours it cannot know about.

A reading that arrives late between two others changes its successor's interval, so
both are recomputed from their neighbours as stored, and the hours get the
difference. To see its neighbours as they are, a batch holds a transaction-level
advisory lock per device (taken in key order, before any row, so batches never
deadlock); batches of other devices run side by side. Totals are therefore the same
for any arrival order, with duplicates, under any number of replicas.
"""

from __future__ import annotations

from collections.abc import Collection

from . import pg_arrays
from .readings import Reading
from .totals import Added, OverLimit

_CLAIM = """
WITH wanted AS (
    SELECT c.id, c.kind FROM unnest(%(devices)s::uuid[], %(kinds)s::text[]) AS c(id, kind)
), locked AS (
    SELECT d.id, w.kind FROM devices d JOIN wanted w ON w.id = d.id
     WHERE d.reading_kind IS NULL
     ORDER BY d.id
       FOR UPDATE OF d
), claimed AS (
    UPDATE devices d SET reading_kind = locked.kind FROM locked
     WHERE d.id = locked.id AND d.reading_kind IS NULL
)
SELECT 1
"""

_KINDS = "SELECT id::text, reading_kind FROM devices WHERE id = ANY(%s::uuid[])"


def claim_kinds(conn, wanted: dict[str, str]) -> dict[str, str]:
    """Give devices that have none the kind of their first reading; return every kind.

    Run and committed before the batch's own transaction, so that two batches that
    disagree about a new device wait for each other here and the second sees the kind.
    """
    conn.execute(
        _CLAIM,
        {"devices": pg_arrays.literal(wanted), "kinds": pg_arrays.literal(wanted.values())},
    )
    conn.commit()
    rows = conn.execute(_KINDS, [list(wanted)]).fetchall()
    return {row["id"]: row["reading_kind"] for row in rows}


_LOCK = """
SELECT count(pg_advisory_xact_lock(key))
  FROM (SELECT key FROM unnest(%s::bigint[]) AS key ORDER BY key) AS ordered
"""

_STORE = """
INSERT INTO readings (device_id, taken_at, kwh, register_kwh)
SELECT i.device_id, i.taken_at, 0, i.register_kwh
  FROM unnest(%(devices)s::uuid[], %(taken)s::timestamptz[], %(registers)s::numeric[])
       AS i(device_id, taken_at, register_kwh)
  JOIN devices d ON d.id = i.device_id AND d.deleted_at IS NULL
 ORDER BY i.device_id, i.taken_at
ON CONFLICT DO NOTHING
RETURNING device_id, taken_at
"""

# Each new reading and the reading after it get their interval from the reading before.
_RECOMPUTE = """
WITH new AS (
    SELECT * FROM unnest(%(devices)s::uuid[], %(taken)s::timestamptz[]) AS n(device_id, taken_at)
), following AS (
    SELECT f.device_id, f.taken_at FROM new n
     CROSS JOIN LATERAL (
        SELECT r.device_id, r.taken_at FROM readings r
         WHERE r.device_id = n.device_id AND r.taken_at > n.taken_at
         ORDER BY r.taken_at LIMIT 1) f
), affected AS (
    SELECT device_id, taken_at FROM new UNION SELECT device_id, taken_at FROM following
), computed AS (
    SELECT r.device_id, r.taken_at, r.kwh AS old_kwh, r.register_from IS NOT NULL AS was_counted,
           p.register_kwh AS register_from,
           -- at the scale of readings.kwh, so that what the hours got is what is stored
           round(CASE WHEN p.register_kwh IS NULL THEN 0
                      WHEN r.register_kwh >= p.register_kwh THEN r.register_kwh - p.register_kwh
                      ELSE r.register_kwh END, 6) AS kwh
      FROM affected a
      JOIN readings r ON r.device_id = a.device_id AND r.taken_at = a.taken_at
      LEFT JOIN LATERAL (
          SELECT q.register_kwh FROM readings q
           WHERE q.device_id = r.device_id AND q.taken_at < r.taken_at
           ORDER BY q.taken_at DESC LIMIT 1) p ON true
), changed AS (
    UPDATE readings r SET kwh = c.kwh, register_from = c.register_from
      FROM computed c
     WHERE r.device_id = c.device_id AND r.taken_at = c.taken_at
       AND (r.kwh <> c.kwh OR r.register_from IS DISTINCT FROM c.register_from)
), deltas AS (
    SELECT device_id, taken_at, kwh - old_kwh AS kwh,
           (register_from IS NOT NULL)::int - was_counted::int AS samples
      FROM computed
     WHERE kwh <> old_kwh OR (register_from IS NOT NULL) <> was_counted
), added AS (
    SELECT device_id, date_trunc('hour', taken_at - interval '1 microsecond', 'UTC') AS hour_start,
           sum(kwh) AS kwh, sum(samples)::int AS samples
      FROM deltas
     GROUP BY 1, 2
), totals AS (
    INSERT INTO hourly_totals AS h (device_id, hour_start, kwh, samples)
    SELECT device_id, hour_start, kwh, samples FROM added ORDER BY device_id, hour_start
    ON CONFLICT (device_id, hour_start) DO UPDATE
       SET kwh = h.kwh + excluded.kwh, samples = h.samples + excluded.samples, final = false
    RETURNING h.device_id, h.hour_start, h.kwh
), quarters AS (
    INSERT INTO quarter_totals AS q (device_id, quarter_start, kwh)
    SELECT device_id,
           date_bin('15 minutes', taken_at - interval '1 microsecond',
                    timestamptz '2000-01-01 00:00+00'),
           sum(kwh)
      FROM deltas
     GROUP BY 1, 2
     ORDER BY 1, 2
    ON CONFLICT (device_id, quarter_start) DO UPDATE SET kwh = q.kwh + excluded.kwh
)
SELECT array_agg(t.device_id) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_devices,
       array_agg(t.hour_start) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_hours,
       array_agg(t.kwh) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_totals
  FROM totals t JOIN devices d ON d.id = t.device_id
"""


def lock_key(device_id: str) -> str:
    """The advisory lock of a device: the first 64 bits of its UUID, as a signed bigint."""
    key = int(device_id.replace("-", "")[:16], 16)
    return str(key - (1 << 64) if key >= 1 << 63 else key)


def add(conn, readings: Collection[Reading]) -> Added:
    """Store the register readings not stored yet and move their intervals into the hours."""
    if not readings:
        return Added(0, OverLimit())
    devices = sorted({r.device_id for r in readings})
    conn.execute(_LOCK, [pg_arrays.literal(lock_key(d) for d in devices)])
    stored = conn.execute(
        _STORE,
        {
            "devices": pg_arrays.literal(r.device_id for r in readings),
            "taken": pg_arrays.literal(r.taken_at.isoformat() for r in readings),
            "registers": pg_arrays.literal(r.kwh for r in readings),
        },
    ).fetchall()
    if not stored:
        return Added(0, OverLimit())
    row = conn.execute(
        _RECOMPUTE,
        {
            "devices": pg_arrays.literal(str(r["device_id"]) for r in stored),
            "taken": pg_arrays.literal(r["taken_at"].isoformat() for r in stored),
        },
    ).fetchone()
    over = OverLimit(row["over_devices"] or [], row["over_hours"] or [], row["over_totals"] or [])
    return Added(len(stored), over)


_RESETS = """
SELECT device_id::text, count(*)::int AS resets,
       (array_agg(taken_at ORDER BY taken_at DESC))[1] AS last_reset_at
  FROM readings
 WHERE device_id = ANY(%s::uuid[]) AND register_kwh < register_from
 GROUP BY device_id
"""


def resets(conn, device_ids: list[str]) -> dict[str, dict]:
    """How many register resets each device had, and when the last one was."""
    rows = conn.execute(_RESETS, [device_ids]).fetchall()
    return {row["device_id"]: row for row in rows}
