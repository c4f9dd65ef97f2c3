-- Read receipts and typing (API.md Part 2): the account's policy, and per conversation the newest inbound wamid a
-- receipt went out for (a receipt marks every earlier message read too, so one per newest inbound message is all
-- Meta needs, whichever route sent it) and when a typing indicator last went out (at most one per 20 s). Kept
-- beside the conversation, not in its row: these change on every open and keystroke pause, and a conversations
-- UPDATE would move the account's page version (the list cache) and lock the row webhooks and sends update.
ALTER TABLE accounts ADD COLUMN read_receipts text NOT NULL DEFAULT 'on_reply'
    CHECK (read_receipts IN ('never', 'on_open', 'on_reply'));

CREATE TABLE conversation_receipts (
    conversation_id         uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    receipted_wa_message_id text,
    typing_sent_at          timestamptz
);
