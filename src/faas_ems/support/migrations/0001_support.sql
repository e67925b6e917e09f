-- The support context: one conversation per client (a resolved one reopens), its
-- messages, and who answers it: the bot, a waiting queue, or a human administrator.

CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    -- one conversation per client: writing again reuses it, a resolved one reopens
    user_id uuid NOT NULL UNIQUE,
    user_name text NOT NULL,
    state text NOT NULL DEFAULT 'bot' CHECK (state IN ('bot', 'waiting', 'human', 'resolved')),
    assigned_admin_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_inbox ON conversations ((state = 'waiting') DESC, updated_at DESC);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    -- insertion order: sent_at may tie, and read receipts cover "everything up to here"
    seq bigserial NOT NULL UNIQUE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- a user's id, or 'bot' / 'assistant' for the rule bot and the LLM
    sender_id text NOT NULL,
    sender_role text NOT NULL CHECK (sender_role IN ('client', 'admin', 'bot')),
    sender_name text NOT NULL,
    text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
    sent_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    -- the client message a bot answer replies to: each is answered at most once
    reply_to uuid UNIQUE
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

-- Events queued in the transaction of the change they describe (ems_runtime.outbox).
CREATE TABLE outbox (seq bigserial PRIMARY KEY, envelope jsonb NOT NULL);
