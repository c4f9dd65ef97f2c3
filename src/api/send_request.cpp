#include "inbox/api/send_request.hpp"

#include <algorithm>

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

// Meta's names: lower-case letters, digits and underscores, up to 512; languages such as "en", "en_US", "pt_BR".
constexpr std::size_t kMaxTemplateNameLength = 512;
constexpr std::size_t kMaxLanguageLength = 15;
constexpr std::size_t kMaxTemplateValues = 100;   // far beyond any template Meta approves
constexpr std::size_t kMaxButtonIndex = 9;        // Meta allows at most 10 buttons
constexpr std::size_t kMaxParameterCharacters = 1024;

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found == object.end() || found->is_null() ? nullptr : &*found;
}

std::string required_string(const nlohmann::json& object, const char* key, const std::string& field) {
    const auto* value = member(object, key);
    if (!value || !value->is_string() || value->get_ref<const std::string&>().empty()) {
        throw http::ApiError::validation_failed(field + " is required and must be a non-empty string");
    }
    return value->get<std::string>();
}

std::string parameter_text(const nlohmann::json& value, const std::string& field) {
    if (!value.is_string()) throw http::ApiError::validation_failed(field + " must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos) {
        throw http::ApiError::validation_failed(field + " must not contain NUL (U+0000) characters");
    }
    if (domain::utf8_length(text) > kMaxParameterCharacters) {
        throw http::ApiError::validation_failed(field + " must be at most 1024 characters");
    }
    return text;
}

bool is_wa_id(const std::string& text) {
    if (text.size() < 8 || text.size() > 15 || text[0] == '0') return false;
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

std::optional<domain::TemplateHeaderValue> parse_template_header(const nlohmann::json& templ) {
    using http::ApiError;
    const auto* header = member(templ, "header");
    if (!header) return std::nullopt;
    if (!header->is_object() || header->size() != 1 || !(header->contains("text") || header->contains("upload_id"))) {
        throw ApiError::validation_failed("template.header must be null, {\"text\": \"...\"} or {\"upload_id\": \"...\"}");
    }
    domain::TemplateHeaderValue value;
    if (const auto* text = member(*header, "text")) {
        value.text = parameter_text(*text, "template.header.text");
        return value;
    }
    const auto* upload = member(*header, "upload_id");
    if (!upload || !upload->is_string()) throw ApiError::validation_failed("template.header.upload_id must be a string");
    value.upload_id = normalize_uuid(upload->get_ref<const std::string&>());
    if (!value.upload_id) throw ApiError::validation_failed("template.header.upload_id must be a UUID");
    return value;
}

std::vector<std::string> parse_template_body(const nlohmann::json& templ) {
    const auto* body = member(templ, "body");
    if (!body) return {};
    if (!body->is_array() || body->size() > kMaxTemplateValues) {
        throw http::ApiError::validation_failed("template.body must be an array of strings");
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < body->size(); ++i) {
        values.push_back(parameter_text((*body)[i], "template.body[" + std::to_string(i) + "]"));
    }
    return values;
}

std::vector<domain::TemplateButtonValue> parse_template_buttons(const nlohmann::json& templ) {
    using http::ApiError;
    const auto* buttons = member(templ, "buttons");
    if (!buttons) return {};
    if (!buttons->is_array() || buttons->size() > kMaxButtonIndex + 1) {
        throw ApiError::validation_failed("template.buttons must be an array of {\"index\", \"text\"}");
    }
    std::vector<domain::TemplateButtonValue> values;
    for (std::size_t i = 0; i < buttons->size(); ++i) {
        const auto& button = (*buttons)[i];
        const auto field = "template.buttons[" + std::to_string(i) + "]";
        const auto* index = button.is_object() ? member(button, "index") : nullptr;
        if (!index || !index->is_number_unsigned() || index->get<std::size_t>() > kMaxButtonIndex) {
            throw ApiError::validation_failed(field + ".index must be an integer from 0 to 9");
        }
        const auto* text = member(button, "text");
        if (!text) throw ApiError::validation_failed(field + ".text is required");
        values.push_back({static_cast<int>(index->get<std::size_t>()), parameter_text(*text, field + ".text"), ""});
    }
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    for (std::size_t i = 1; i < values.size(); ++i) {
        if (values[i].index == values[i - 1].index) {
            throw ApiError::validation_failed("template.buttons names index " + std::to_string(values[i].index) +
                                              " twice");
        }
    }
    return values;
}

}  // namespace

TemplateSendBody parse_template_send_body(const nlohmann::json& body) {
    using http::ApiError;
    TemplateSendBody parsed;
    if (const auto* conversation = member(body, "conversation_id")) {
        if (member(body, "account_id") || member(body, "wa_id")) {
            throw ApiError::validation_failed("send either conversation_id or account_id with wa_id, not both");
        }
        if (!conversation->is_string()) throw ApiError::validation_failed("conversation_id must be a string");
        parsed.conversation_id = normalize_uuid(conversation->get_ref<const std::string&>());
        if (!parsed.conversation_id) throw ApiError::validation_failed("conversation_id must be a UUID");
    } else {
        const auto account = required_string(body, "account_id", "account_id (or conversation_id)");
        parsed.account_id = normalize_uuid(account);
        if (!parsed.account_id) throw ApiError::validation_failed("account_id must be a UUID");
        parsed.wa_id = required_string(body, "wa_id", "wa_id");
        if (!is_wa_id(*parsed.wa_id)) {
            throw ApiError::validation_failed(
                "wa_id must be the customer's number in digits only, 8 to 15 of them, country code first "
                "(e.g. 16505551234)");
        }
    }
    const auto* templ = member(body, "template");
    if (!templ || !templ->is_object()) throw ApiError::validation_failed("template is required and must be an object");
    parsed.name = required_string(*templ, "name", "template.name");
    parsed.language = required_string(*templ, "language", "template.language");
    if (parsed.name.size() > kMaxTemplateNameLength) {
        throw ApiError::validation_failed("template.name must be at most 512 characters");
    }
    if (parsed.language.size() > kMaxLanguageLength) {
        throw ApiError::validation_failed("template.language must be a language code such as en_US");
    }
    parsed.values.header = parse_template_header(*templ);
    parsed.values.body = parse_template_body(*templ);
    parsed.values.buttons = parse_template_buttons(*templ);
    return parsed;
}

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
