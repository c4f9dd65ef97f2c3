#include "inbox/api/send_request.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/domain/outbound_text.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

namespace inbox::api {

SendBody parse_send_body(const nlohmann::json& body) {
    using http::ApiError;
    const auto conversation = body.find("conversation_id");
    if (conversation == body.end() || !conversation->is_string()) {
        throw ApiError::validation_failed("conversation_id is required and must be a string");
    }
    auto conversation_id = normalize_uuid(conversation->get_ref<const std::string&>());
    if (!conversation_id) throw ApiError::validation_failed("conversation_id must be a UUID");

    const auto text = body.find("text");
    if (text == body.end() || !text->is_string()) {
        throw ApiError::validation_failed("text is required and must be a string");
    }
    const auto& value = text->get_ref<const std::string&>();
    if (auto problem = domain::text_problem(value)) throw ApiError::validation_failed(*problem);
    return {std::move(*conversation_id), value};
}

std::optional<std::string> parse_idempotency_key(const http::Request& request) {
    const auto& fields = request.message.base();
    const auto count = fields.count("Idempotency-Key");
    if (count == 0) return std::nullopt;
    if (count > 1) throw http::ApiError::invalid_parameter("Idempotency-Key must be sent once");
    const auto value = fields.find("Idempotency-Key")->value();
    if (value.empty() || value.size() > kMaxIdempotencyKeyLength) {
        throw http::ApiError::invalid_parameter("Idempotency-Key must be 1 to 128 characters");
    }
    for (const char c : value) {
        if (c < 0x20 || c > 0x7E) {
            throw http::ApiError::invalid_parameter("Idempotency-Key must be printable ASCII characters");
        }
    }
    return std::string(value);
}

}  // namespace inbox::api
