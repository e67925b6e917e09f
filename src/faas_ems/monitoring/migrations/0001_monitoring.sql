-- The monitoring context: readings, exact hourly totals, alerts, and its own copy of
-- each device (limit, owner, site time zone), kept from inventory's events.

CREATE TABLE devices (
    id uuid PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    owner_id uuid,
    max_hourly_kwh numeric(12, 4) NOT NULL,
    timezone text NOT NULL DEFAULT 'UTC',
    -- inventory's version of the device: an older event never overwrites a newer state
    version bigint NOT NULL,
    deleted_at timestamptz,
    last_reading_at timestamptz,
    offline_since timestamptz
);
CREATE INDEX devices_by_owner ON devices (owner_id) WHERE deleted_at IS NULL;

CREATE TABLE readings (
    device_id uuid NOT NULL,
    taken_at timestamptz NOT NULL,
    kwh numeric(14, 6) NOT NULL CHECK (kwh >= 0),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, taken_at)
);

-- Updated atomically by ingest (INSERT .. ON CONFLICT DO UPDATE kwh = kwh + excluded.kwh),
-- never read-modify-write; closed ("final") by hourly-aggregate.
CREATE TABLE hourly_totals (
    device_id uuid NOT NULL,
    hour_start timestamptz NOT NULL,
    kwh numeric(16, 6) NOT NULL DEFAULT 0,
    samples integer NOT NULL DEFAULT 0,
    final boolean NOT NULL DEFAULT false,
    incomplete boolean NOT NULL DEFAULT false,
    PRIMARY KEY (device_id, hour_start)
);

-- Days in the device's site time zone, kept by hourly-aggregate for month and year views.
CREATE TABLE daily_totals (
    device_id uuid NOT NULL,
    day date NOT NULL,
    kwh numeric(18, 6) NOT NULL DEFAULT 0,
    samples integer NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, day)
);

CREATE TABLE alerts (
    id uuid PRIMARY KEY,
    device_id uuid NOT NULL,
    owner_id uuid,
    hour_start timestamptz NOT NULL,
    total_kwh numeric(16, 6) NOT NULL,
    limit_kwh numeric(12, 4) NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    UNIQUE (device_id, hour_start)
);
CREATE INDEX alerts_by_owner ON alerts (owner_id, raised_at DESC);
CREATE INDEX alerts_by_time ON alerts (raised_at DESC);
