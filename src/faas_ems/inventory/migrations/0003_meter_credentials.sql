-- A credential per meter: a username and a random secret the meter signs in with, over
-- MQTT and AMQP (RabbitMQ asks the meter-auth function) and HTTP (POST /function/readings).
-- The secret is shown once and kept as its SHA-256: it is 256 random bits, so a fast hash
-- is as safe as a slow one and lets every broker login and HTTP call be one index lookup.
CREATE TABLE meter_credentials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    username text NOT NULL UNIQUE,
    secret_sha256 text NOT NULL UNIQUE,
    prefix text NOT NULL,              -- the secret's first characters, to tell them apart
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX meter_credentials_by_device ON meter_credentials (device_id, created_at);
