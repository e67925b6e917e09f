-- Users identity said were deleted: a device event that arrives late and still names
-- one of them as owner must not hand the device back to a user who is gone.
CREATE TABLE deleted_users (
    id uuid PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
