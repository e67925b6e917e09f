-- Readings are kept exactly to 12 decimals (numeric(14, 6) rounded 0.1234567891 to
-- 0.123457 and 4e-07 to 0); totals and alerts follow. Ingest refuses a value with
-- more decimals instead of letting the column round it. The integer digits stay.
ALTER TABLE readings ALTER COLUMN kwh TYPE numeric(20, 12);
ALTER TABLE hourly_totals ALTER COLUMN kwh TYPE numeric(22, 12);
ALTER TABLE quarter_totals ALTER COLUMN kwh TYPE numeric(22, 12);
ALTER TABLE daily_totals ALTER COLUMN kwh TYPE numeric(24, 12);
ALTER TABLE alerts ALTER COLUMN total_kwh TYPE numeric(22, 12);
