-- A gateway credential: one secret for a meter gateway (a DSMR P1 reader, a Home
-- Assistant, a concentrator) that posts the readings of several devices over HTTP.
-- Kept as its SHA-256 like a meter's (0003); the devices it covers are listed apart, and
-- a device deleted leaves every gateway that covered it.
CREATE TABLE gateway_credentials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    secret_sha256 text NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);

CREATE TABLE gateway_devices (
    gateway_id uuid NOT NULL REFERENCES gateway_credentials (id) ON DELETE CASCADE,
    device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    PRIMARY KEY (gateway_id, device_id)
);
CREATE INDEX gateway_devices_by_device ON gateway_devices (device_id);
