-- The number printed on the meter (its serial), by which meters and older systems name it
-- in their readings. Optional, unique; compared as written.
ALTER TABLE devices ADD COLUMN meter_id text;
ALTER TABLE devices ADD CONSTRAINT devices_meter_id_unique UNIQUE (meter_id);
ALTER TABLE devices ADD CONSTRAINT devices_meter_id_length
    CHECK (meter_id IS NULL OR char_length(meter_id) BETWEEN 1 AND 64);
