-- Templates with components (API.md Part 2): Meta's components array as synced (HEADER with its format, BODY,
-- FOOTER, BUTTONS), from which a send-template's parameter counts and header format are checked. NULL for a
-- template synced before this migration until the next sync (its body_text then stands alone).
ALTER TABLE message_templates ADD COLUMN components jsonb CHECK (components IS NULL OR jsonb_typeof(components) = 'array');
