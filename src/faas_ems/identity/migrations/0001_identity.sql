-- The identity context: users, their role, password hash and profile.

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'client')),
    name text NOT NULL,
    email text NOT NULL,
    timezone text NOT NULL DEFAULT 'UTC',
    -- grows with every change (deletion included): consumers keep the newest state
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Usernames and emails are unique regardless of case.
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
CREATE INDEX users_admins ON users (id) WHERE role = 'admin';

-- Events waiting to be published after their transaction committed (ems_runtime.outbox).
CREATE TABLE outbox (
    seq bigserial PRIMARY KEY,
    envelope jsonb NOT NULL
);
