-- The whole domain of API.md. Every table that holds an account's objects carries account_id, so queries can
-- scope by membership in the same statement and the schema can later shard by account.

CREATE TABLE accounts (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                      text NOT NULL CHECK (name <> ''),
    phone_number_id           text NOT NULL UNIQUE CHECK (phone_number_id <> ''),
    waba_id                   text NOT NULL CHECK (waba_id <> ''),
    display_phone_number      text,
    access_token              text NOT NULL,  -- never selected into API answers, logs or the cache
    default_template_name     text,
    default_template_language text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account_members (
    user_id    text NOT NULL CHECK (user_id <> ''),
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'agent',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, account_id)
);
CREATE INDEX account_members_by_account ON account_members (account_id);

CREATE TABLE contacts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_id        text NOT NULL,
    name         text,          -- set by an agent; webhooks never overwrite it
    profile_name text,          -- WhatsApp profile name, refreshed by every webhook
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, wa_id)
);

CREATE TABLE conversations (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id           uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id           uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    unread_count         integer NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    last_message_at      timestamptz,
    last_message_preview text,
    last_inbound_at      timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
-- One open conversation per contact: get-or-create stays race-free under concurrent deliveries.
CREATE UNIQUE INDEX conversations_one_open_per_contact ON conversations (contact_id) WHERE status = 'open';
-- The inbox list: by account (and status), most recent first, id as the stable tie-breaker.
CREATE INDEX conversations_list_by_status
    ON conversations (account_id, status, last_message_at DESC NULLS LAST, id);
CREATE INDEX conversations_list_all ON conversations (account_id, last_message_at DESC NULLS LAST, id);

CREATE TABLE message_templates (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_template_id  text,
    name            text NOT NULL,
    language        text NOT NULL,
    category        text,
    status          text NOT NULL,
    body_text       text,
    parameter_count integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name, language)
);
CREATE INDEX message_templates_by_wa_id ON message_templates (account_id, wa_template_id);

CREATE TABLE messages (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id             uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id        uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    wa_message_id          text,  -- null while an outbound message is pending
    direction              text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    type                   text NOT NULL,
    body                   text,
    content                jsonb NOT NULL DEFAULT '{}'::jsonb,
    status                 text NOT NULL
                           CHECK (status IN ('received', 'pending', 'sent', 'failed', 'delivered', 'read')),
    error                  jsonb,
    reply_to_wa_message_id text,
    template_name          text,
    template_language      text,
    idempotency_key        text,
    media_id               text,  -- Meta's media id (lives 7 days)
    media_mime_type        text,
    media_sha256           text,  -- the verified digest once stored
    media_file_size        bigint,
    media_filename         text,
    media_state            text CHECK (media_state IN ('pending', 'stored', 'failed', 'expired')),
    media_key              text,  -- content-addressed key in the media store
    media_attempts         integer NOT NULL DEFAULT 0,
    timestamp              timestamptz NOT NULL,  -- Meta's time for inbound, send time for outbound
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((media_id IS NULL) = (media_state IS NULL))
);
-- Exactly-once storage of webhook deliveries, and idempotent sends.
CREATE UNIQUE INDEX messages_wamid_per_account ON messages (account_id, wa_message_id);
CREATE UNIQUE INDEX messages_idempotency_key ON messages (account_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The message page (newest first, id tie-breaker for the cursor) and the seed's two indexes.
CREATE INDEX messages_conversation_timestamp ON messages (conversation_id, timestamp DESC);
CREATE INDEX messages_conversation_page ON messages (conversation_id, timestamp DESC, id DESC);
CREATE INDEX messages_free_window ON messages (conversation_id, direction, timestamp DESC)
    WHERE status != 'failed' OR status IS NULL;
-- check-media: unstored media of a conversation.
CREATE INDEX messages_unstored_media ON messages (conversation_id)
    WHERE media_id IS NOT NULL AND media_state <> 'stored';

-- Statuses that arrived before the message they describe (our send stores the wamid after Meta answers).
CREATE TABLE parked_statuses (
    id            bigserial PRIMARY KEY,
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_message_id text NOT NULL,
    status        text NOT NULL CHECK (status IN ('sent', 'failed', 'delivered', 'read')),
    error         jsonb,
    timestamp     timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_statuses_by_wamid ON parked_statuses (account_id, wa_message_id);

-- The durable webhook inbox: the raw delivery is committed before Meta gets its 200.
CREATE TABLE webhook_events (
    id              bigserial PRIMARY KEY,
    body            text NOT NULL,  -- the raw bytes as received (validated UTF-8 JSON)
    received_at     timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'processed', 'ignored', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    processed_at    timestamptz,
    last_error      text
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE status IN ('pending', 'processing');

-- Background work (media downloads, check-media scans, template submissions), claimed with SKIP LOCKED.
CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,
    account_id   uuid REFERENCES accounts (id) ON DELETE CASCADE,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    dedupe_key   text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5,
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- "Queued once, however many callers ask": one live job per (kind, dedupe key).
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (kind, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running');
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('pending', 'running');
