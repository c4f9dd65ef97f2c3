-- Contact info and media downloads (API.md "Media", "Contacts").

-- A contact's conversations (the contact-info route reads the latest inbound time over all of them; the partial
-- unique index only covers the open one).
CREATE INDEX conversations_by_contact ON conversations (contact_id);

-- A download job's last failure, shown when its retries are exhausted, and the verified digest's source form.
ALTER TABLE messages ADD COLUMN media_error text;
