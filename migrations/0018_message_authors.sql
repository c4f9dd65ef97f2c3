-- Who sent an outbound message (API.md Part 2 "author"): the user whose request stored it. NULL for inbound
-- messages, and for rows stored before this column existed. Nullable without a default: no table rewrite.
ALTER TABLE messages ADD COLUMN author_user_id text;

-- Our reaction's wamid, remembered so its status webhooks are ignored, not parked. Meta's statuses can overtake its
-- answer to the reaction (as for sends): one that was parked meanwhile is dropped here. Under the wamid's lock,
-- which the status path holds while it decides to park (docs/ARCHITECTURE.md "Lock order"), so neither misses the
-- other. Runs as its own statement: it holds only that lock, never a message row, so it cannot close a cycle.
CREATE FUNCTION record_sent_reaction(p_account uuid, p_wamid text, p_message uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_account::text || '/' || p_wamid, 0));
    INSERT INTO sent_reactions (account_id, wa_message_id, message_id) VALUES (p_account, p_wamid, p_message)
    ON CONFLICT DO NOTHING;
    DELETE FROM parked_statuses p WHERE p.account_id = p_account AND p.wa_message_id = p_wamid;
END $$;
