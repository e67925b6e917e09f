-- The consumption views read a day from daily_totals only when none of its hours is still
-- open (not final: not aggregated yet, or reopened by a late reading). This finds the
-- open hours of a device in a range without scanning its closed ones.
CREATE INDEX hourly_totals_open ON hourly_totals (device_id, hour_start) WHERE NOT final;
