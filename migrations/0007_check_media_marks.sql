-- check-media's debounce of record. Redis answers the common case (a scan already started: skip without touching
-- Postgres), but Redis is optional and fails open; a scan starts only after this row also says the conversation's
-- 5 minutes are over, so "at most one scan per conversation per 5 minutes" holds across instances, at any call
-- rate, with Redis up, slow or down. A separate table: a mark must not count as a change of the conversation
-- (its page version).
CREATE TABLE check_media_marks (
    conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    next_scan_at    timestamptz NOT NULL
);
