-- Readings as meters send them (see docs/readings.md).
-- meter_id: the number printed on the meter, copied from inventory, so that a reading may
-- name its device by it. Not unique here: copies follow events, and while a number moves
-- from one device to another both copies may briefly hold it (ingest refuses it then).
ALTER TABLE devices ADD COLUMN meter_id text;
CREATE INDEX devices_by_meter_id ON devices (meter_id) WHERE meter_id IS NOT NULL;
-- What the device reports: 'interval' (energy per interval) or 'register' (the cumulative
-- register). Set by the first reading counted, never changed: the two are never mixed.
ALTER TABLE devices ADD COLUMN reading_kind text CHECK (reading_kind IN ('interval', 'register'));

-- A register reading keeps the register (register_kwh) and the register of the reading
-- before it by time (register_from; NULL for the first, the baseline); kwh is then the
-- energy of its interval: the difference, or after a reset (register_kwh < register_from)
-- the register itself. Both are recomputed when a reading arrives late between two others.
ALTER TABLE readings ADD COLUMN register_kwh numeric;
ALTER TABLE readings ADD COLUMN register_from numeric;
CREATE INDEX readings_resets ON readings (device_id, taken_at)
    WHERE register_kwh < register_from;
