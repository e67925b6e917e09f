-- Alarms with a lifecycle (docs/alarms.md): a severity, a state, who acknowledged with a
-- note, who cleared, repeated over-limit hours of a device grouped into one alarm, early
-- warnings stored beside them, and an audit trail of every transition.

ALTER TABLE alerts
    ADD COLUMN severity text NOT NULL DEFAULT 'over_limit'
        CHECK (severity IN ('warning', 'over_limit', 'far_over_limit')),
    ADD COLUMN state text NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'acknowledged', 'cleared')),
    -- an over-limit alarm groups the hours from hour_start to last_hour_start (hours of them)
    ADD COLUMN last_hour_start timestamptz,
    ADD COLUMN hours integer NOT NULL DEFAULT 1,
    -- a warning: the hour's end as projected when it was raised
    ADD COLUMN projected_kwh numeric(22, 12),
    ADD COLUMN acknowledged_by uuid,
    ADD COLUMN acknowledged_note text,
    ADD COLUMN cleared_at timestamptz,
    ADD COLUMN cleared_by uuid;

UPDATE alerts
   SET last_hour_start = hour_start,
       state = CASE WHEN acknowledged_at IS NULL THEN 'open' ELSE 'acknowledged' END;
ALTER TABLE alerts ALTER COLUMN last_hour_start SET NOT NULL;

-- Once per device and hour is now kept by alert_hours (over limit) and by this index
-- (warnings); an alarm's own row may cover several hours.
ALTER TABLE alerts DROP CONSTRAINT alerts_device_id_hour_start_key;
CREATE UNIQUE INDEX alerts_one_warning_per_hour ON alerts (device_id, hour_start)
    WHERE severity = 'warning';
CREATE INDEX alerts_by_device ON alerts (device_id, last_hour_start DESC);
CREATE INDEX alerts_open_warnings ON alerts (hour_start) WHERE severity = 'warning' AND state <> 'cleared';

-- Every over-limit hour, once, and the alarm it went into: the arbiter of "once per
-- device and hour" whichever replica sees the hour over first.
CREATE TABLE alert_hours (
    device_id uuid NOT NULL,
    hour_start timestamptz NOT NULL,
    alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    total_kwh numeric(22, 12) NOT NULL,
    PRIMARY KEY (device_id, hour_start)
);
CREATE INDEX alert_hours_by_alert ON alert_hours (alert_id);
INSERT INTO alert_hours (device_id, hour_start, alert_id, total_kwh)
SELECT device_id, hour_start, id, total_kwh FROM alerts;

-- Who did what to an alarm, and when; actor_id is NULL for the system's own transitions.
CREATE TABLE alert_audit (
    seq bigserial PRIMARY KEY,
    alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL
        CHECK (action IN ('raised', 'repeated', 'escalated', 'acknowledged', 'cleared', 'reopened')),
    state text NOT NULL,
    actor_id uuid,
    actor_role text NOT NULL CHECK (actor_role IN ('admin', 'client', 'system')),
    actor_name text NOT NULL DEFAULT '',
    note text
);
CREATE INDEX alert_audit_by_alert ON alert_audit (alert_id, seq);
INSERT INTO alert_audit (alert_id, at, action, state, actor_role)
SELECT id, raised_at, 'raised', 'open', 'system' FROM alerts;
INSERT INTO alert_audit (alert_id, at, action, state, actor_role)
SELECT id, acknowledged_at, 'acknowledged', 'acknowledged', 'system'
  FROM alerts WHERE acknowledged_at IS NOT NULL;
