-- The notifications context: how each user wants to hear of alerts away from the page,
-- its copy of what it needs of users, and the log of every notification sent or skipped.

-- Kept from identity's user.created|updated|deleted events, applied only when newer
-- (version); a deletion leaves a tombstone that no late event brings back.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    email text,
    timezone text NOT NULL DEFAULT 'UTC',
    version bigint NOT NULL,
    deleted_at timestamptz
);

-- A user without a row hears of alerts in the app only.
CREATE TABLE preferences (
    user_id uuid PRIMARY KEY,
    warning_channel text NOT NULL DEFAULT 'app',
    over_limit_channel text NOT NULL DEFAULT 'app',
    far_over_limit_channel text NOT NULL DEFAULT 'app',
    webhook_url text,
    -- Kept as given: the server signs every delivery with it (docs/security.md).
    webhook_secret text,
    quiet_start time,
    quiet_end time,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (warning_channel IN ('app', 'email', 'webhook')),
    CHECK (over_limit_channel IN ('app', 'email', 'webhook')),
    CHECK (far_over_limit_channel IN ('app', 'email', 'webhook')),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
    CHECK (webhook_url IS NULL OR webhook_secret IS NOT NULL)
);

-- One row per alert, severity and channel: a redelivered or retried event finds it and
-- never sends twice what already went out.
CREATE TABLE notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    alert_id uuid NOT NULL,
    device_id uuid,
    device_name text NOT NULL DEFAULT '',
    severity text NOT NULL CHECK (severity IN ('warning', 'over_limit', 'far_over_limit')),
    channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
    destination text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    detail text,
    attempts integer NOT NULL DEFAULT 0,
    hour_start timestamptz,
    total_kwh numeric,
    limit_kwh numeric,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (alert_id, severity, channel)
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, id);
