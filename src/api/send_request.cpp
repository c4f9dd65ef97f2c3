#include "inbox/api/send_request.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/domain/outbound_text.hpp"
#include "inbox/domain/utf8.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

namespace inbox::api {

namespace {

// `upload_id` with an optional `caption` (≤ 1024 characters, not blank; "" or null for none) instead of `text`.
SendBody parse_media_send(std::string conversation_id, const nlohmann::json& body) {
    using http::ApiError;
    if (body.contains("text")) throw ApiError::validation_failed("send either text or upload_id, not both");
    const auto& upload = body["upload_id"];
    if (!upload.is_string()) throw ApiError::validation_failed("upload_id must be a string");
    auto upload_id = normalize_uuid(upload.get_ref<const std::string&>());
    if (!upload_id) throw ApiError::validation_failed("upload_id must be a UUID");
    std::string caption;
    if (const auto found = body.find("caption"); found != body.end() && !found->is_null()) {
        if (!found->is_string()) throw ApiError::validation_failed("caption must be a string or null");
        caption = found->get<std::string>();
        if (!caption.empty()) {
            if (auto problem = domain::text_problem(caption)) {
                throw ApiError::validation_failed("caption: " + problem->substr(problem->find(' ') + 1));
            }
        }
        if (domain::utf8_length(caption) > kMaxCaptionCharacters) {
            throw ApiError::validation_failed("caption must be at most 1024 characters");
        }
    }
    return {std::move(conversation_id), std::move(caption), std::move(*upload_id), std::nullopt};
}

// `reply_to`: absent or null for none, else a message id.
std::optional<std::string> parse_reply_to(const nlohmann::json& body) {
    const auto found = body.find("reply_to");
    if (found == body.end() || found->is_null()) return std::nullopt;
    if (!found->is_string()) throw http::ApiError::validation_failed("reply_to must be a message id or null");
    auto id = normalize_uuid(found->get_ref<const std::string&>());
    if (!id) throw http::ApiError::validation_failed("reply_to must be a message id (a UUID)");
    return id;
}

SendBody parse_send_fields(const nlohmann::json& body, bool allow_media) {
    using http::ApiError;
    const auto conversation = body.find("conversation_id");
    if (conversation == body.end() || !conversation->is_string()) {
        throw ApiError::validation_failed("conversation_id is required and must be a string");
    }
    auto conversation_id = normalize_uuid(conversation->get_ref<const std::string&>());
    if (!conversation_id) throw ApiError::validation_failed("conversation_id must be a UUID");
    if (body.contains("upload_id")) {
        if (!allow_media) throw ApiError::validation_failed("media is sent with POST /messages/send");
        return parse_media_send(std::move(*conversation_id), body);
    }

    const auto text = body.find("text");
    if (text == body.end() || !text->is_string()) {
        throw ApiError::validation_failed("text is required and must be a string");
    }
    const auto& value = text->get_ref<const std::string&>();
    if (auto problem = domain::text_problem(value)) throw ApiError::validation_failed(*problem);
    return {std::move(*conversation_id), value, std::nullopt, std::nullopt};
}

}  // namespace

SendBody parse_send_body(const nlohmann::json& body, bool allow_media) {
    auto parsed = parse_send_fields(body, allow_media);
    parsed.reply_to = parse_reply_to(body);
    return parsed;
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
