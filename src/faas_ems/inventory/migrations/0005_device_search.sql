-- The device list searches anywhere in name, meter number and address (ILIKE
-- '%text%'): trigram indexes serve that at fleet size. pg_trgm is a trusted extension
-- (PostgreSQL 13+), so the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX devices_search_name ON devices USING gin (name gin_trgm_ops);
CREATE INDEX devices_search_meter_id ON devices USING gin (meter_id gin_trgm_ops);
CREATE INDEX devices_search_address ON devices USING gin (address gin_trgm_ops);
-- the list's sort keys
CREATE INDEX devices_by_lower_name ON devices (lower(name), id);
CREATE INDEX devices_by_created ON devices (created_at, id);
