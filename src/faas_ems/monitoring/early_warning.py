"""The early warning: a running hour projected to end over its limit, once per device-hour.

At ingest, in the batch's transaction, for each running hour the batch added to
(the hour not over yet at ``now``, its total still within the limit, at least
``MONITORING_WARNING_MIN_READINGS`` (3) readings in it), the hour's end is projected
(docs/alarms.md):

    projected = so_far + remaining_intervals x rate
    rate      = w x so_far / readings  +  (1 - w) x history / readings_per_hour
    w         = readings / readings_per_hour   (all of this hour's pace once it has run)

``history`` is the mean of the device's complete hours at the same local hour on the
last ``MONITORING_WARNING_HISTORY_DAYS`` days (w = 1 without any). A projection above
limit x ``MONITORING_WARNING_THRESHOLD`` (1.05) stores a warning and queues ``alert.warning``.

The hour's total is read after this batch's upsert, which holds its row lock to the
end of the transaction, so the figure is exact under any number of replicas; the
partial unique index ``alerts_one_warning_per_hour`` makes the insert the arbiter of
"once". ``now`` is the caller's (ingest's clock; a replayed history in the benchmark).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from faas_ems.runtime import outbox, settings

from . import alarm_audit, alarm_shape, liveness, pg_arrays
from .readings import Reading

_WARN = f"""
WITH touched AS (
    SELECT DISTINCT t.device_id, date_trunc('hour', t.taken_at - interval '1 microsecond', 'UTC')
           AS hour_start
      FROM unnest(%(devices)s::uuid[], %(taken)s::timestamptz[]) AS t(device_id, taken_at)
), running AS (
    SELECT h.device_id, h.hour_start, h.kwh, h.samples, d.max_hourly_kwh AS limit_kwh,
           d.timezone, d.owner_id
      FROM touched t
      JOIN hourly_totals h ON (h.device_id, h.hour_start) = (t.device_id, t.hour_start)
      JOIN devices d ON d.id = t.device_id AND d.deleted_at IS NULL
     WHERE t.hour_start + interval '1 hour' > %(now)s
       AND h.samples >= %(min_readings)s AND h.samples < %(per_hour)s
       AND h.kwh <= d.max_hourly_kwh
       AND NOT EXISTS (SELECT 1 FROM alert_hours o
                        WHERE (o.device_id, o.hour_start) = (h.device_id, h.hour_start))
), history AS (
    SELECT r.device_id, r.hour_start, avg(p.kwh) AS kwh
      FROM running r
      CROSS JOIN generate_series(1, %(days)s) AS back(days)
      JOIN hourly_totals p
        ON p.device_id = r.device_id
       AND p.hour_start = ((r.hour_start AT TIME ZONE r.timezone)
                           - make_interval(days => back.days)) AT TIME ZONE r.timezone
       AND p.samples >= %(per_hour)s
     GROUP BY r.device_id, r.hour_start
), projected AS (
    SELECT r.*, r.kwh + (%(per_hour)s - r.samples) * (
               r.samples::numeric / %(per_hour)s * r.kwh / r.samples
             + (1 - r.samples::numeric / %(per_hour)s)
               * coalesce(h.kwh / %(per_hour)s, r.kwh / r.samples)) AS projected_kwh
      FROM running r LEFT JOIN history h USING (device_id, hour_start)
), warned AS (
    INSERT INTO alerts (id, device_id, owner_id, hour_start, last_hour_start, total_kwh, limit_kwh,
                        projected_kwh, severity)
    SELECT md5(device_id || '@' || extract(epoch FROM hour_start)::bigint || '@warning')::uuid,
           device_id, owner_id, hour_start, hour_start, kwh, limit_kwh, round(projected_kwh, 12),
           'warning'
      FROM projected
     WHERE projected_kwh > limit_kwh * %(threshold)s
     ORDER BY device_id, hour_start
    ON CONFLICT (device_id, hour_start) WHERE severity = 'warning' DO NOTHING
    RETURNING *
)
SELECT {alarm_shape.COLUMNS}, d.name AS device_name
  FROM warned a JOIN devices d ON d.id = a.device_id
"""


def warn(conn, readings: Collection[Reading], now: datetime) -> list[dict]:
    """Store the warnings these readings call for and queue their events; return their data."""
    if not readings:
        return []
    configured = settings.current()
    rows = conn.execute(
        _WARN,
        {
            "devices": pg_arrays.literal(r.device_id for r in readings),
            "taken": pg_arrays.literal(r.taken_at.isoformat() for r in readings),
            "now": now,
            "per_hour": liveness.readings_per_hour(),
            "min_readings": configured.monitoring_warning_min_readings,
            "days": configured.monitoring_warning_history_days,
            "threshold": configured.monitoring_warning_threshold,
        },
    ).fetchall()
    alarm_audit.record(conn, [row["id"] for row in rows], "raised", "open")
    warned = []
    for row in rows:
        data = alarm_shape.event_data(row, row["device_name"])
        outbox.add(conn, "alert.warning", data, event_id=data["id"])
        warned.append(data)
    return warned
