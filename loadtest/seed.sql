-- Benchmark data set: several accounts, thousands of conversations, ~100k messages, inbound messages inside and
-- outside the 24 h window, media messages in every state. Deterministic (fixed seed), idempotent per database.
--   psql -v accounts=3 -v conversations_per_account=1000 -v messages_per_conversation=34 -v user=bench-user -f seed.sql
\set ON_ERROR_STOP on
SELECT setseed(0.42) AS seeded \gset

BEGIN;
INSERT INTO accounts (name, phone_number_id, waba_id, display_phone_number, access_token, default_template_name,
                      default_template_language)
SELECT 'Bench Account ' || a, (106540352242922 + a)::text, (102290129340398 + a)::text, (15550783881 + a)::text,
       'bench-token-' || a, 'reengage', 'en_US'
FROM generate_series(0, :accounts - 1) AS a
ON CONFLICT (phone_number_id) DO NOTHING;

INSERT INTO account_members (user_id, account_id)
SELECT :'user', id FROM accounts WHERE name LIKE 'Bench Account %'
ON CONFLICT DO NOTHING;

INSERT INTO message_templates (account_id, name, language, category, status, body_text, parameter_count)
SELECT id, 'reengage', 'en_US', 'MARKETING', 'APPROVED', 'Hi! {{1}}', 1 FROM accounts WHERE name LIKE 'Bench Account %'
ON CONFLICT DO NOTHING;

-- A template with every kind of parameter (header text, two body values, a URL button): send_template's load.
INSERT INTO message_templates (account_id, name, language, category, status, body_text, parameter_count, components)
SELECT id, 'order_update', 'en_US', 'UTILITY', 'APPROVED', 'Hi {{1}}, your order {{2}} has shipped.', 2,
       '[{"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
         {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."},
         {"type": "FOOTER", "text": "Bench Shop"},
         {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Track", "url": "https://example.com/t/{{1}}"}]}]'
FROM accounts WHERE name LIKE 'Bench Account %'
ON CONFLICT DO NOTHING;

INSERT INTO contacts (account_id, wa_id, profile_name)
SELECT acc.id, (16505550000 + c)::text, 'Customer ' || c
FROM accounts acc, generate_series(1, :conversations_per_account) AS c
WHERE acc.name LIKE 'Bench Account %'
ON CONFLICT (account_id, wa_id) DO NOTHING;

-- Half of the conversations had an inbound message in the last 24 h (window open), half did not.
INSERT INTO conversations (account_id, contact_id, status, unread_count, last_inbound_at)
SELECT ct.account_id, ct.id, CASE WHEN random() < 0.9 THEN 'open' ELSE 'closed' END, (random() * 5)::int,
       CASE WHEN random() < 0.5 THEN now() - random() * interval '20 hours'
            ELSE now() - interval '2 days' - random() * interval '20 days' END
FROM contacts ct
WHERE NOT EXISTS (SELECT 1 FROM conversations cv WHERE cv.contact_id = ct.id);

-- Messages spread backwards from each conversation's last inbound time; every 10th is an image.
INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, status, timestamp,
                      media_id, media_mime_type, media_state, media_sha256, media_file_size)
SELECT cv.account_id, cv.id,
       'wamid.bench.' || replace(cv.id::text, '-', '') || '.' || m,
       CASE WHEN m % 3 = 0 THEN 'outbound' ELSE 'inbound' END,
       CASE WHEN m % 10 = 0 THEN 'image' ELSE 'text' END,
       'Benchmark message ' || m || ' of conversation',
       CASE WHEN m % 3 = 0 THEN (ARRAY['sent', 'delivered', 'read'])[1 + (m / 3) % 3] ELSE 'received' END,
       cv.last_inbound_at - (m * interval '7 minutes'),
       CASE WHEN m % 10 = 0 THEN 'media.bench.' || replace(cv.id::text, '-', '') || '.' || m ELSE NULL END,
       CASE WHEN m % 10 = 0 THEN 'image/jpeg' ELSE NULL END,
       CASE WHEN m % 10 = 0 THEN (ARRAY['pending', 'stored', 'failed'])[1 + (m / 10) % 3] ELSE NULL END,
       NULL, CASE WHEN m % 10 = 0 THEN 65536 ELSE NULL END
FROM conversations cv, generate_series(0, :messages_per_conversation - 1) AS m
WHERE cv.account_id IN (SELECT id FROM accounts WHERE name LIKE 'Bench Account %')
ON CONFLICT (account_id, wa_message_id) DO NOTHING;

-- Conversation summaries consistent with the messages.
UPDATE conversations cv
SET last_message_at = latest.timestamp, last_message_preview = left(coalesce(latest.body, '[' || latest.type || ']'), 200)
FROM (SELECT DISTINCT ON (conversation_id) conversation_id, timestamp, body, type
      FROM messages ORDER BY conversation_id, timestamp DESC) AS latest
WHERE latest.conversation_id = cv.id;
COMMIT;

ANALYZE;
