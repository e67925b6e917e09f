-- Messages a consumer gave up on (copied from the broker's dead-letter queues) and messages
-- no queue took (the `ems` exchange's alternate exchange), shown at /function/dead-letters.
-- A letter leaves the list only by replay or discard; both stay recorded on the row and in
-- dead_letter_actions. The same body refused again while its letter is open counts on it.
CREATE TABLE dead_letters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    queue text NOT NULL,              -- the queue it was refused from, or 'unrouted'
    topic text NOT NULL DEFAULT '',   -- the routing key it was published with
    reason text NOT NULL,
    body text NOT NULL,
    fingerprint text NOT NULL,        -- sha256 of queue, topic and body
    device_id text,                   -- the device a reading names, as written
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    count integer NOT NULL DEFAULT 1,
    resolved_at timestamptz,
    resolution text CHECK (resolution IN ('replayed', 'discarded')),
    resolved_by uuid
);
CREATE UNIQUE INDEX dead_letters_open ON dead_letters (fingerprint) WHERE resolved_at IS NULL;
CREATE INDEX dead_letters_open_by_time ON dead_letters (last_seen DESC) WHERE resolved_at IS NULL;

-- Who replayed or discarded what, and when.
CREATE TABLE dead_letter_actions (
    id bigserial PRIMARY KEY,
    action text NOT NULL CHECK (action IN ('replayed', 'discarded')),
    admin_id uuid NOT NULL,
    letter_ids uuid[] NOT NULL,
    reason text,                      -- when chosen by reason
    at timestamptz NOT NULL DEFAULT now()
);
