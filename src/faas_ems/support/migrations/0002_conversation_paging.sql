-- The support inbox pages conversations (0001 indexes its order) and
-- searches the client's name anywhere (ILIKE '%text%', served by a trigram index;
-- pg_trgm is a trusted extension, so the database's owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX conversations_search_user_name ON conversations USING gin (user_name gin_trgm_ops);
