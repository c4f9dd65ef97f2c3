-- Sending (API.md "Sending"): what an idempotent repeat is compared with, whether a failed send may be retried under
-- its key, the daily re-engagement template submission, and the one-round-trip "sent" transition.

ALTER TABLE messages
    -- SHA-256 of (route, conversation, text) of the request that created the row under its Idempotency-Key: a repeat
    -- with the same key but another request is a conflict, not a repeat.
    ADD COLUMN request_fingerprint text,
    -- Failed as "unavailable" (timeout, 5xx, throttling, open circuit): a repeat under its key sends this row again.
    -- Meta's refusals are final and stay false.
    ADD COLUMN send_retryable boolean NOT NULL DEFAULT false;

-- Sends the server lost track of (a crash between the insert and Meta's answer), found by the pending-send sweeper.
CREATE INDEX messages_pending_sends ON messages (updated_at) WHERE direction = 'outbound' AND status = 'pending';

-- At most one re-engagement template submitted to Meta per account and day.
ALTER TABLE accounts ADD COLUMN template_submitted_at timestamptz;

-- An outbound message becomes its conversation's last message once Meta answered (sent or failed), in the statement
-- that records the answer: the pending insert, whose commit the send waits for, stays small.
CREATE FUNCTION outbound_touch_conversation(p_conversation uuid, p_at timestamptz, p_preview text) RETURNS void
    LANGUAGE sql AS $$
    UPDATE conversations c SET
        last_message_at = greatest(c.last_message_at, p_at),
        last_message_preview = CASE WHEN c.last_message_at IS NULL OR p_at >= c.last_message_at
                                    THEN p_preview ELSE c.last_message_preview END,
        updated_at = now()
    WHERE c.id = p_conversation
$$;

-- Gives a sent message Meta's wamid and applies the statuses that arrived before it (parked_statuses), makes it its
-- conversation's last message (`p_preview`), then tells live clients, in one round trip. A function rather than one statement: a statement's snapshot is taken before it
-- could wait for the wamid lock, so it would miss a status parked by the transaction that held the lock. Each
-- statement below takes a fresh snapshot after the lock. The status path (InboundRepository) takes the same lock
-- before it decides to park, so a status is either parked before this runs (and applied here) or finds the wamid.
-- The final status follows message_status_rank like every status update; a parked error is kept.
-- Its commit does not wait for the WAL flush: the `pending` row was committed durably before Meta was called, so a
-- database crash in the next moment can only take the row back to `pending`, which the pending-send sweeper resolves
-- as "send interrupted" exactly as after a crash of our own process. The caller has its 201 by then and does not
-- repeat it. (set_config(..., true) lasts to the end of the statement's transaction, i.e. through its commit.)
CREATE FUNCTION outbound_mark_sent(p_account text, p_message uuid, p_wamid text, p_preview text, p_channel text,
                                   OUT final_status text, OUT final_error text)
    LANGUAGE plpgsql AS $$
DECLARE
    parked record;
    status_now text := 'sent';
    error_now jsonb := NULL;
    sent_at timestamptz;
    conversation uuid;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM pg_advisory_xact_lock(hashtextextended(p_account || '/' || p_wamid, 0));
    FOR parked IN
        SELECT p.status, p.error FROM parked_statuses p
        WHERE p.account_id = p_account::uuid AND p.wa_message_id = p_wamid ORDER BY p.id
    LOOP
        IF message_status_rank(parked.status) > message_status_rank(status_now) THEN
            status_now := parked.status;
        END IF;
        error_now := coalesce(parked.error, error_now);
    END LOOP;
    DELETE FROM parked_statuses p WHERE p.account_id = p_account::uuid AND p.wa_message_id = p_wamid;
    UPDATE messages m
       SET wa_message_id = p_wamid, status = status_now, error = error_now, send_retryable = false, updated_at = now()
     WHERE m.id = p_message AND m.account_id = p_account::uuid
    RETURNING m.conversation_id, m.timestamp INTO conversation, sent_at;
    IF FOUND THEN
        PERFORM outbound_touch_conversation(conversation, sent_at, p_preview);
        PERFORM pg_notify(p_channel, json_build_object('account_id', p_account, 'updated', json_build_array(p_message),
                                                       'conversations', json_build_array(conversation))::text);
    END IF;
    final_status := status_now;
    final_error := error_now::text;
END
$$;
