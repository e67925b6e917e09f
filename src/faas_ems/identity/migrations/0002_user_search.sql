-- The administrators' user list searches anywhere in username, name and email (ILIKE
-- '%text%'), which a B-tree cannot serve: trigram indexes can. pg_trgm is a trusted
-- extension (PostgreSQL 13+), so the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_search_username ON users USING gin (username gin_trgm_ops);
CREATE INDEX users_search_name ON users USING gin (name gin_trgm_ops);
CREATE INDEX users_search_email ON users USING gin (email gin_trgm_ops);
-- the list's sort keys
CREATE INDEX users_by_name ON users (lower(name), id);
