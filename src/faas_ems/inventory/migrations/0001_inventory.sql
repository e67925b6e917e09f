-- The inventory context: metering devices and who owns each.

CREATE TABLE devices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    max_hourly_kwh numeric(12, 4) NOT NULL CHECK (max_hourly_kwh > 0),
    -- the site's IANA time zone
    timezone text NOT NULL DEFAULT 'UTC',
    -- a user of the identity context; checked through its users function, not a foreign key
    owner_id uuid,
    -- grows with every change (assignment and deletion included)
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_by_name ON devices (name, id);
CREATE INDEX devices_by_owner ON devices (owner_id, name) WHERE owner_id IS NOT NULL;

-- Users identity said were deleted (user.deleted): nothing may be assigned to them any more,
-- even by an assignment that checked the user just before the deletion.
CREATE TABLE deleted_users (
    id uuid PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);

-- Events waiting to be published after their transaction committed (ems_runtime.outbox).
CREATE TABLE outbox (
    seq bigserial PRIMARY KEY,
    envelope jsonb NOT NULL
);
