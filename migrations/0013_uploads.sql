-- Uploads (API.md Part 2, "Uploads and outbound media"): files an agent uploaded to send as media. The bytes live
-- in the media store under their SHA-256 (shared with equal media); the row says whose they are and how to send
-- them. `used_at` is set by the first message that sends it; unused uploads are deleted after 24 h (retention).
-- `graph_media_id` is Meta's id for the bytes once uploaded to the account's number, reused while Meta keeps it
-- (30 days from `graph_media_id_at`).
CREATE TABLE uploads (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uploaded_by       text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document', 'sticker')),
    mime_type         text NOT NULL,
    file_size         bigint NOT NULL CHECK (file_size > 0),
    sha256            text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    filename          text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    used_at           timestamptz,
    graph_media_id    text,
    graph_media_id_at timestamptz
);
CREATE INDEX uploads_unused ON uploads (created_at) WHERE used_at IS NULL;
