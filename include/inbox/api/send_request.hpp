#pragma once
// Strict parsing of the send routes' input (API.md "Sending"). Pure: every failure throws http::ApiError.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "inbox/domain/template_shape.hpp"

namespace inbox::http {
struct Request;
}

namespace inbox::api {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 128;

inline constexpr std::size_t kMaxCaptionCharacters = 1024;  // Meta's limit for a media caption

struct SendBody {
    std::string conversation_id;          // lower-case UUID
    std::string text;                     // the text, or a media send's caption ("" for none)
    std::optional<std::string> upload_id;  // a media send: lower-case UUID
    std::optional<std::string> reply_to;   // the message it answers: lower-case UUID
};

// `{"conversation_id": "<uuid>", "text": "..."}`, or with `allow_media` a media send
// `{"conversation_id", "upload_id": "<uuid>", "caption": "..." | null}`; either may add `"reply_to": "<message
// uuid>"` (null for none); anything else → 422 validation_failed naming the field.
SendBody parse_send_body(const nlohmann::json& body, bool allow_media = false);

// POST /messages/send-template: `{"conversation_id"}` or `{"account_id", "wa_id"}` (8-15 digits, country code
// first), plus `{"template": {"name", "language", "header": null | {"text"} | {"upload_id"}, "body": [...],
// "buttons": [{"index", "text"}]}}`. Buttons come back in index order; anything malformed → 422 naming the field.
struct TemplateSendBody {
    std::optional<std::string> conversation_id;  // lower-case UUID
    std::optional<std::string> account_id;       // lower-case UUID, with wa_id
    std::optional<std::string> wa_id;
    std::string name;
    std::string language;
    domain::TemplateValues values;
};
TemplateSendBody parse_template_send_body(const nlohmann::json& body);

// The Idempotency-Key header: absent → nullopt; 1–128 printable ASCII characters; anything else (empty, too long,
// control or non-ASCII bytes, the header repeated) → 400 invalid_parameter.
std::optional<std::string> parse_idempotency_key(const http::Request& request);

}  // namespace inbox::api
