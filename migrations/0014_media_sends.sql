-- Media sends (API.md Part 2, "Sending media"): an outbound message made from an upload is stored with its media
-- already in our store (`media_state` 'stored', `media_key` the upload's SHA-256) and names the upload it came
-- from. Meta's id for the bytes belongs to the upload (uploads.graph_media_id), so such a message has no
-- `media_id`: the pairing of media_id and media_state holds for inbound messages only.
ALTER TABLE messages ADD COLUMN upload_id uuid REFERENCES uploads (id) ON DELETE SET NULL;
ALTER TABLE messages DROP CONSTRAINT messages_check;
ALTER TABLE messages ADD CONSTRAINT messages_media_id_with_state
    CHECK (direction = 'outbound' OR (media_id IS NULL) = (media_state IS NULL));
