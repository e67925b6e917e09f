-- The summary pages, searches and sorts the caller's devices by name or meter number
-- anywhere (ILIKE '%text%', trigram indexes; pg_trgm is a trusted extension, so the
-- database's owner may create it). Today's kWh and online state are sorted in Python
-- after one summing query: they are computed, not stored.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX devices_search_name ON devices USING gin (name gin_trgm_ops);
CREATE INDEX devices_search_meter_id ON devices USING gin (meter_id gin_trgm_ops);
