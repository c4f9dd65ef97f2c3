#pragma once
// The JSON shapes of API.md "Objects", in one place: one function per object.
#include <nlohmann/json.hpp>

#include "inbox/domain/account.hpp"
#include "inbox/domain/message.hpp"
#include "inbox/domain/stored_template.hpp"
#include "inbox/services/inbox_service.hpp"

namespace inbox::api {

nlohmann::json account_json(const domain::Account& account);

// The conversation with its embedded contact {id, wa_id, name} and free_window {open, expires_at}.
nlohmann::json conversation_json(const services::ConversationView& view);

nlohmann::json message_json(const domain::Message& message);

// {id, name, language, category, status, body_text, parameter_count}
nlohmann::json template_json(const domain::StoredTemplate& stored);

}  // namespace inbox::api
