-- Page version rows per writing backend (replaces 0006's 16 stripes per account). With stripes shared by several
-- backends, a transaction could wait for another's stripe row while holding a conversation row that one needed:
-- a deadlock (e.g. a mark-read against webhook processing). A backend runs one transaction at a time, so a row
-- keyed by its pid is never contended: a bump never waits.
-- A scope's version is the sum of its rows: a bump adds 1. Rows of backends that are gone are folded now and then
-- into the scope's base row (stripe 0) plus 1, so the sum keeps growing (an equal sum always means equal pages) and
-- the rows per scope stay about as many as the backends alive.
ALTER TABLE page_versions ALTER COLUMN stripe TYPE integer;

CREATE FUNCTION compact_page_versions(target uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    WITH gone AS (
        DELETE FROM page_versions v
        WHERE v.scope = target AND v.stripe <> 0 AND v.stripe <> pg_backend_pid()
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = v.stripe)
        RETURNING v.version)
    SELECT coalesce(sum(version), 0) INTO folded FROM gone;
    IF folded > 0 THEN
        INSERT INTO page_versions (scope, stripe, version) VALUES (target, 0, folded + 1)
        ON CONFLICT (scope, stripe) DO UPDATE SET version = page_versions.version + EXCLUDED.version;
    END IF;
END $$;

-- One scope's bump by this backend; about one bump in 1,000 also folds the scope's rows of departed backends.
CREATE FUNCTION bump_page_version(target uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO page_versions (scope, stripe, version) VALUES (target, pg_backend_pid(), 1)
    ON CONFLICT (scope, stripe) DO UPDATE SET version = page_versions.version + 1;
    IF random() < 0.001 THEN
        PERFORM compact_page_versions(target);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION bump_account_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_page_version(scope) FROM (SELECT DISTINCT account_id AS scope FROM changed) scopes;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION bump_message_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_page_version(scope) FROM (
        SELECT conversation_id AS scope FROM changed
        UNION
        SELECT r.conversation_id FROM changed c
        JOIN messages r ON r.account_id = c.account_id AND r.reply_to_wa_message_id = c.wa_message_id
        WHERE c.wa_message_id IS NOT NULL AND r.reply_to_wa_message_id IS NOT NULL
    ) scopes;
    RETURN NULL;
END $$;

-- 0006's stripes (pid % 16) are just rows of departed "backends" now: fold them on the next compaction.
