-- Reactions (API.md Part 2, "Replies, reactions"): the current reaction of each side of the chat on a message,
-- kept on the message itself (read with it, no join): at most one inbound, one per user outbound,
-- [{"emoji", "direction", "user_id", "at"}] in the order they were first made. Inbound reactions stay messages of
-- type `reaction` as well; ours are not messages: their wamids are kept in sent_reactions so that their status
-- webhooks are recognised and ignored instead of parked. A constant default makes the column free to add.
ALTER TABLE messages ADD COLUMN reactions jsonb NOT NULL DEFAULT '[]'::jsonb;

CREATE TABLE sent_reactions (
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_message_id text NOT NULL,
    message_id    uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, wa_message_id)
);
CREATE INDEX sent_reactions_by_message ON sent_reactions (message_id);

-- One side's reaction folded into a message's list: replaced in place, removed by an empty emoji, appended when
-- new. A reaction older than the one stored for that side changes nothing (webhooks may arrive out of order).
CREATE FUNCTION fold_reaction(current jsonb, side_direction text, side_user text, new_emoji text, new_at timestamptz)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(current) r
                     WHERE r->>'direction' = side_direction AND r->>'user_id' IS NOT DISTINCT FROM side_user
                       AND (r->>'at')::timestamptz > new_at)
            THEN current
        WHEN new_emoji = ''
            THEN coalesce((SELECT jsonb_agg(r ORDER BY position) FROM jsonb_array_elements(current)
                               WITH ORDINALITY AS e(r, position)
                           WHERE NOT (r->>'direction' = side_direction AND r->>'user_id' IS NOT DISTINCT FROM side_user)),
                          '[]'::jsonb)
        WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(current) r
                     WHERE r->>'direction' = side_direction AND r->>'user_id' IS NOT DISTINCT FROM side_user)
            THEN (SELECT jsonb_agg(CASE WHEN r->>'direction' = side_direction
                                             AND r->>'user_id' IS NOT DISTINCT FROM side_user
                                        THEN r || jsonb_build_object('emoji', new_emoji, 'at',
                                             to_char(new_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                                        ELSE r END ORDER BY position)
                  FROM jsonb_array_elements(current) WITH ORDINALITY AS e(r, position))
        ELSE current || jsonb_build_array(jsonb_build_object(
                 'emoji', new_emoji, 'direction', side_direction, 'user_id', side_user,
                 'at', to_char(new_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
    END $$;
