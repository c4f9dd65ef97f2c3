-- Never send twice, never wedge (docs/ARCHITECTURE.md "Lock order" and "Sending").
--
-- The lock order of every transaction that touches conversations, messages and wamids is: contacts and their
-- conversations in (account_id, contact wa_id) order, then wamids (advisory locks) in (account_id, wamid) order,
-- each wamid's message row right after its lock. Recording a send's outcome used to lock the wamid, then the
-- message, then the conversation (its last message): the reverse of webhook processing, which deadlocked
-- against it. The outcome now waits only for the wamid and the message. It moves the conversation's last message
-- only if the conversation's row is free at that instant (SKIP LOCKED never waits, so it cannot close a cycle);
-- otherwise the server moves it a moment later in a statement that locks the conversation alone.

ALTER TABLE messages
    -- Which send of this row is in flight: a retry under its Idempotency-Key counts up, so the outcome of an
    -- earlier attempt can never overwrite a later one.
    ADD COLUMN send_attempt integer NOT NULL DEFAULT 1,
    -- The liveness key (migration 0005) of the instance whose Graph call for this `pending` row is in flight: a
    -- pending row is resolved as interrupted only once that instance is gone (or it stopped knowing the row).
    ADD COLUMN claimed_by integer;

DROP FUNCTION outbound_mark_sent(text, uuid, text, text, text);

-- The conversation's last message follows an outbound one at `p_at`, if the conversation's row is not locked right
-- now (a webhook batch holds it until its commit): never waits, so it may run after message and wamid locks.
-- False when the row was locked: the caller moves it later with a statement that waits, holding nothing else.
CREATE FUNCTION outbound_touch_if_free(p_conversation uuid, p_at timestamptz, p_preview text) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations c WHERE c.id = p_conversation FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE conversations c SET
        last_message_at = p_at, last_message_preview = p_preview, updated_at = now()
     WHERE c.id = p_conversation AND (c.last_message_at IS NULL OR p_at >= c.last_message_at);
    RETURN true;
END
$$;

-- Meta accepted attempt `p_attempt` of message `p_message` as `p_wamid`: records the wamid, folds in the statuses
-- that were parked for it, never moves the status backwards, makes it its conversation's last message (`p_preview`)
-- when that row is free (`conversation_touched`), and tells live clients. Outcomes:
--   recorded   — the row now carries the wamid;
--   superseded — the row was retried since (another attempt is in flight or carries another wamid): nothing changes;
--   missing    — no such message of this account.
-- A row that a status webhook already matched by biz_opaque_callback_data (it carries p_wamid) keeps the higher
-- status. A row our own sweeper marked `failed` as interrupted is sent after all: its error was ours, not Meta's.
-- A plpgsql function so that each statement takes a fresh snapshot after the wamid lock (a single statement's
-- snapshot predates its lock wait and could miss a status parked by the lock's holder). Its commit does not wait
-- for the WAL flush (see 0003's note): a lost record leaves the row `pending` and claimed, and the status webhooks
-- Meta sends for it match it by its callback data.
CREATE FUNCTION outbound_record_sent(p_account uuid, p_message uuid, p_attempt integer, p_wamid text, p_preview text,
                                     p_channel text, OUT outcome text, OUT final_status text, OUT final_error text,
                                     OUT conversation_touched boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    current record;
    parked record;
    status_now text := 'sent';
    error_now jsonb := NULL;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM pg_advisory_xact_lock(hashtextextended(p_account::text || '/' || p_wamid, 0));
    SELECT m.status, m.error, m.wa_message_id, m.send_attempt, m.conversation_id, m.timestamp INTO current
      FROM messages m WHERE m.id = p_message AND m.account_id = p_account FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        outcome := 'missing';
        RETURN;
    END IF;
    IF (current.wa_message_id IS NOT NULL AND current.wa_message_id <> p_wamid)
       OR (current.wa_message_id IS NULL AND current.send_attempt <> p_attempt) THEN
        outcome := 'superseded';
        final_status := current.status;
        final_error := current.error::text;
        RETURN;
    END IF;
    IF current.wa_message_id = p_wamid THEN  -- matched by a status webhook first: its status and error stand
        status_now := CASE WHEN message_status_rank(current.status) > 1 THEN current.status ELSE 'sent' END;
        error_now := current.error;
    END IF;
    FOR parked IN
        SELECT p.status, p.error FROM parked_statuses p
        WHERE p.account_id = p_account AND p.wa_message_id = p_wamid ORDER BY p.id
    LOOP
        IF message_status_rank(parked.status) > message_status_rank(status_now) THEN
            status_now := parked.status;
        END IF;
        error_now := coalesce(parked.error, error_now);
    END LOOP;
    DELETE FROM parked_statuses p WHERE p.account_id = p_account AND p.wa_message_id = p_wamid;
    UPDATE messages m
       SET wa_message_id = p_wamid, status = status_now, error = error_now, send_retryable = false,
           claimed_by = NULL, updated_at = now()
     WHERE m.id = p_message;
    conversation_touched := outbound_touch_if_free(current.conversation_id, current.timestamp, p_preview);
    PERFORM pg_notify(p_channel, json_build_object(
        'account_id', p_account, 'updated', json_build_array(p_message),
        'conversations', CASE WHEN conversation_touched THEN json_build_array(current.conversation_id)
                              ELSE json_build_array() END)::text);
    outcome := 'recorded';
    final_status := status_now;
    final_error := error_now::text;
END
$$;
