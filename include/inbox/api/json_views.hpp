#pragma once
// The JSON shapes of API.md "Objects", in one place: one writer per object, written straight into the response
// text (http/json_writer.hpp), and the same object as a standalone JSON text for the places that need one.
#include <string>
#include <vector>

#include "inbox/domain/account.hpp"
#include "inbox/domain/inbox_query.hpp"
#include "inbox/domain/message.hpp"
#include "inbox/domain/stored_template.hpp"
#include "inbox/http/json_writer.hpp"
#include "inbox/services/inbox_service.hpp"

namespace inbox::api {

void write_account(http::JsonWriter& out, const domain::Account& account);
// The conversation with its embedded contact {id, wa_id, name} and free_window {open, expires_at}.
void write_conversation(http::JsonWriter& out, const services::ConversationView& view);
void write_message(http::JsonWriter& out, const domain::Message& message);
// {id, name, language, category, status, body_text, parameter_count}
void write_template(http::JsonWriter& out, const domain::StoredTemplate& stored);

// `"data": [...]`, one element per row, into the open object of `out`.
template <typename Row, typename WriteRow>
void write_data(http::JsonWriter& out, const std::vector<Row>& rows, WriteRow write_row) {
    out.key("data").begin_array();
    for (const auto& row : rows) write_row(out, row);
    out.end_array();
}

// The members of API.md's pagination object (limit, offset, has_more) into the open object of `out`.
void write_pagination_fields(http::JsonWriter& out, const domain::PageRequest& page, bool has_more);

std::string account_json(const domain::Account& account);
std::string conversation_json(const services::ConversationView& view);
std::string message_json(const domain::Message& message);

}  // namespace inbox::api
