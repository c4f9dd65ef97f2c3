-- Versions of the inbox pages, for the exact page cache (docs/PERFORMANCE.md "Page cache"). A server may answer a
-- cached conversation list or message page only while the version it was read under is still the current one, and
-- it reads the current one from here (with the caller's membership) on every request. Triggers bump the version in
-- the same transaction as any change that can alter a page, so no write path can forget it and a reader can never
-- get a page older than a change it could already see.
--   scope = an account id   → its conversation lists (conversations and their contacts), one row per stripe
--   scope = a conversation  → its message pages (its messages and the messages they reply to), stripe 0
-- A list's version is the sum over the account's stripes: every bump adds exactly 1, so the sum changes with every
-- bump. Stripes exist because every webhook touches its account's row: a transaction bumps the stripe of its own
-- backend (pg_backend_pid() % 16), so concurrent writers of one account do not queue on one row lock.
CREATE TABLE page_versions (
    scope   uuid     NOT NULL,
    stripe  smallint NOT NULL,
    version bigint   NOT NULL,
    PRIMARY KEY (scope, stripe)
) WITH (fillfactor = 50);  -- room for HOT updates: a bump rewrites the row in place of its page

-- Replies resolve the message they quote by wamid at read time, so a quoted message that appears or changes later
-- changes the replying message's page too.
CREATE INDEX messages_replies ON messages (account_id, reply_to_wa_message_id)
    WHERE reply_to_wa_message_id IS NOT NULL;

-- Statement-level triggers with transition tables: one upsert per statement however many rows it changed (the seed
-- and batch statements), scopes locked in uuid order so two writers never wait on each other in opposite orders.
CREATE FUNCTION bump_account_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO page_versions (scope, stripe, version)
    SELECT DISTINCT account_id, (pg_backend_pid() % 16)::smallint, 1 FROM changed ORDER BY account_id
    ON CONFLICT (scope, stripe) DO UPDATE SET version = page_versions.version + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION bump_message_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO page_versions (scope, stripe, version)
    SELECT scope, 0, 1 FROM (
        SELECT conversation_id AS scope FROM changed
        UNION
        SELECT r.conversation_id FROM changed c
        JOIN messages r ON r.account_id = c.account_id AND r.reply_to_wa_message_id = c.wa_message_id
        WHERE c.wa_message_id IS NOT NULL AND r.reply_to_wa_message_id IS NOT NULL
    ) scopes ORDER BY scope
    ON CONFLICT (scope, stripe) DO UPDATE SET version = page_versions.version + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER conversations_inserted_bump AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_pages();
CREATE TRIGGER conversations_updated_bump AFTER UPDATE ON conversations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_pages();
CREATE TRIGGER conversations_deleted_bump AFTER DELETE ON conversations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_pages();
-- A contact's name and number show in its conversations' rows; a new contact shows nowhere until a conversation does.
CREATE TRIGGER contacts_updated_bump AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_pages();

CREATE TRIGGER messages_inserted_bump AFTER INSERT ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_message_pages();
CREATE TRIGGER messages_updated_bump AFTER UPDATE ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_message_pages();
CREATE TRIGGER messages_deleted_bump AFTER DELETE ON messages
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_message_pages();
