-- Quarter-hours, kept by ingest like the hours. Views in zones whose hours start at :30
-- or :45 (India, Nepal, parts of Australia, Newfoundland) sum these instead of the raw
-- readings, so raw readings are needed only to tell a redelivered reading from a new one,
-- and can be pruned (MONITORING_READINGS_RETENTION_DAYS).
CREATE TABLE quarter_totals (
    device_id uuid NOT NULL,
    quarter_start timestamptz NOT NULL,
    kwh numeric(16, 6) NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, quarter_start)
);

INSERT INTO quarter_totals (device_id, quarter_start, kwh)
SELECT device_id,
       date_bin('15 minutes', taken_at - interval '1 microsecond', timestamptz '2000-01-01 00:00+00'),
       sum(kwh)
  FROM readings
 GROUP BY 1, 2;

-- Readings arrive roughly in time order: a BRIN index finds the old ones to prune for
-- next to nothing on each insert.
CREATE INDEX readings_by_time ON readings USING brin (taken_at);
