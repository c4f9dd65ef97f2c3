#pragma once
// The message columns every statement that answers a message selects, and their reader (private to storage/).
#include <pqxx/pqxx>

#include "inbox/domain/message.hpp"
#include "pg_fields.hpp"

// A quoted message's preview text: its text or caption, cut to what a quoted block shows.
#define INBOX_REPLY_PREVIEW_TEXT(alias) "left(" alias ".body, 200)"

// The columns in the order read_message expects: `m` is the message, `r` the message it replies to, joined as
//   LEFT JOIN messages r ON r.account_id = m.account_id AND r.wa_message_id = m.reply_to_wa_message_id
// (the reply's message id is resolved by the unique (account_id, wa_message_id) index); a reply's preview is its
// target's type and INBOX_REPLY_PREVIEW_TEXT.
#define INBOX_MESSAGE_COLUMNS                                                                                      \
    "m.id::text AS id, m.conversation_id::text AS conversation_id, m.wa_message_id AS wa_message_id,"             \
    " m.direction AS direction, m.type AS type, m.body AS body, m.status AS status, "                             \
    INBOX_PG_MICROS("m.timestamp") " AS timestamp_us, " INBOX_PG_MICROS("m.created_at") " AS created_at_us,"       \
    " m.reply_to_wa_message_id AS reply_to_wamid, r.id::text AS reply_to_id, m.error::text AS error,"             \
    " m.template_name AS template_name, m.template_language AS template_language, m.media_state AS media_state," \
    " m.media_mime_type AS media_mime_type, m.media_sha256 AS media_sha256, m.media_file_size AS media_file_size," \
    " m.media_filename AS media_filename, m.content::text AS content, m.reactions::text AS reactions,"     \
    " m.author_user_id AS author_user_id, r.type AS reply_to_type,"                                                \
    " " INBOX_REPLY_PREVIEW_TEXT("r") " AS reply_to_text"

#define INBOX_MESSAGE_REPLY_JOIN \
    " LEFT JOIN messages r ON r.account_id = m.account_id AND r.wa_message_id = m.reply_to_wa_message_id"

namespace inbox::storage {

inline constexpr pqxx::row::size_type kMessageColumnCount = 24;

// Reads the INBOX_MESSAGE_COLUMNS starting at column `first`.
domain::Message read_message(const pqxx::row& row, pqxx::row::size_type first);

}  // namespace inbox::storage
