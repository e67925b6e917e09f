-- The tariff that prices the device's consumption (a tariff of monitoring's: inventory
-- keeps only its id, and monitoring checks that it exists when it prices).
ALTER TABLE devices ADD COLUMN tariff_id uuid;
