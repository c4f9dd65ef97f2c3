#include "inbox/domain/webhook_payload.hpp"

#include <array>
#include <climits>
#include <cstdint>
#include <utility>
#include <variant>

#include "inbox/domain/message_preview.hpp"

namespace inbox::domain {
namespace {

using nlohmann::json;

constexpr std::string_view kWhatsAppObject = "whatsapp_business_account";
constexpr std::array<std::string_view, 5> kMediaTypes{"image", "audio", "video", "document", "sticker"};

// Lookups that answer "absent" for a wrong type instead of throwing, so one odd field cannot sink a delivery.
const json* member(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto found = object.find(key);
    return found == object.end() ? nullptr : &*found;
}

std::optional<std::string> string_member(const json& object, const char* key) {
    const json* value = member(object, key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
}

std::optional<std::string> non_empty_string_member(const json& object, const char* key) {
    auto value = string_member(object, key);
    if (value && value->empty()) return std::nullopt;
    return value;
}

// Ids Meta sends as strings in some places and as numbers in others (`message_template_id`).
std::optional<std::string> id_member(const json& object, const char* key) {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (value->is_string() && !value->get_ref<const std::string&>().empty()) return value->get<std::string>();
    if (value->is_number_integer()) return value->dump();
    return std::nullopt;
}

// Meta sends strings of Unix seconds; a plain integer is accepted too.
std::optional<TimePoint> timestamp_value(const json& value) {
    if (value.is_string()) return parse_unix_seconds(value.get_ref<const std::string&>());
    if (value.is_number_integer()) return parse_unix_seconds(value.dump());
    return std::nullopt;
}

// `errors[0]` of a message or a status.
std::optional<MessageError> first_error(const json& object) {
    const json* errors = member(object, "errors");
    if (errors == nullptr || !errors->is_array() || errors->empty() || !(*errors)[0].is_object()) return std::nullopt;
    const json& first = (*errors)[0];
    MessageError error;
    if (const json* code = member(first, "code"); code != nullptr && code->is_number_integer()) {
        const auto value = code->get<std::int64_t>();
        if (value >= INT_MIN && value <= INT_MAX) error.code = static_cast<int>(value);
    }
    error.title = string_member(first, "title").value_or("");
    if (const json* data = member(first, "error_data")) error.details = string_member(*data, "details");
    if (!error.details) error.details = string_member(first, "message");
    return error;
}

// Why an element of an array was left out.
struct Rejection {
    std::string reason;
};
template <typename T>
using Parsed = std::variant<T, Rejection>;

bool is_media_type(std::string_view type) {
    for (const auto media_type : kMediaTypes) {
        if (media_type == type) return true;
    }
    return false;
}

std::optional<MediaRef> media_ref(const json& media, std::string_view type) {
    auto media_id = id_member(media, "id");
    if (!media_id) return std::nullopt;
    MediaRef ref{.media_id = std::move(*media_id), .mime_type = string_member(media, "mime_type").value_or("")};
    ref.sha256 = non_empty_string_member(media, "sha256");
    ref.filename = non_empty_string_member(media, "filename");
    if (type == "audio") {
        const json* voice = member(media, "voice");
        ref.voice = voice != nullptr && voice->is_boolean() && voice->get<bool>();
    }
    return ref;
}

// `text`, `content` and `media` of a message according to its type (API.md, "Objects").
void fill_body(const json& raw, InboundMessage& message) {
    const std::string& type = message.type;
    const json* payload = member(raw, type.c_str());
    const bool payload_is_object = payload != nullptr && payload->is_object();

    if (type == "text") {
        if (payload_is_object) message.text = string_member(*payload, "body");
        return;  // content stays {}
    }
    if (type == "contacts") {
        if (payload != nullptr && payload->is_array()) message.content = json{{"contacts", *payload}};
        return;
    }
    if (payload_is_object) {
        message.content = *payload;
    } else if (payload != nullptr && payload->is_array()) {
        message.content = json{{type, *payload}};
    }
    if (!payload_is_object) return;

    if (is_media_type(type)) {
        message.media = media_ref(*payload, type);
        if (type != "sticker") message.text = non_empty_string_member(*payload, "caption");
    } else if (type == "interactive") {
        for (const char* reply_kind : {"button_reply", "list_reply"}) {
            if (const json* reply = member(*payload, reply_kind)) message.text = string_member(*reply, "title");
            if (message.text) break;
        }
    } else if (type == "button") {
        message.text = string_member(*payload, "text");
    }
    // location, reaction, unsupported and types we do not know keep text null and their object as content.
}

Parsed<InboundContact> parse_contact(const json& raw) {
    if (!raw.is_object()) return Rejection{"contact is not an object"};
    auto wa_id = id_member(raw, "wa_id");
    if (!wa_id) return Rejection{R"(contact without "wa_id")"};
    InboundContact contact{.wa_id = std::move(*wa_id)};
    if (const json* profile = member(raw, "profile")) contact.profile_name = string_member(*profile, "name");
    return contact;
}

Parsed<InboundMessage> parse_message(const json& raw) {
    if (!raw.is_object()) return Rejection{"message is not an object"};
    auto id = non_empty_string_member(raw, "id");
    if (!id) return Rejection{R"(message without "id")"};
    auto from = id_member(raw, "from");
    if (!from) return Rejection{"message " + *id + R"( without "from")"};
    const json* timestamp = member(raw, "timestamp");
    if (timestamp == nullptr) return Rejection{"message " + *id + R"( without "timestamp")"};
    const auto time = timestamp_value(*timestamp);
    if (!time) return Rejection{"message " + *id + R"(: "timestamp" is not a number of Unix seconds)"};
    auto type = non_empty_string_member(raw, "type");
    if (!type) return Rejection{"message " + *id + R"( without "type")"};

    InboundMessage message{
        .wa_message_id = std::move(*id), .from = std::move(*from), .timestamp = *time, .type = std::move(*type)};
    if (const json* context = member(raw, "context")) message.reply_to_wa_message_id = string_member(*context, "id");
    message.error = first_error(raw);
    fill_body(raw, message);
    message.preview = message_preview(message.type, message.text);
    return message;
}

Parsed<StatusUpdate> parse_status_update(const json& raw) {
    if (!raw.is_object()) return Rejection{"status is not an object"};
    auto id = non_empty_string_member(raw, "id");
    if (!id) return Rejection{R"(status without "id")"};
    const auto name = string_member(raw, "status");
    if (!name) return Rejection{"status of " + *id + R"( without "status")"};
    const auto status = parse_status(*name);
    if (!status || (status != MessageStatus::sent && status != MessageStatus::delivered &&
                    status != MessageStatus::read && status != MessageStatus::failed)) {
        return Rejection{"status \"" + *name + "\" of " + *id + " is not handled"};
    }
    const json* timestamp = member(raw, "timestamp");
    const auto time = timestamp == nullptr ? std::nullopt : timestamp_value(*timestamp);
    if (!time) return Rejection{"status of " + *id + R"(: "timestamp" is missing or not a number of Unix seconds)"};
    return StatusUpdate{.wa_message_id = std::move(*id),
                        .status = *status,
                        .timestamp = *time,
                        .recipient_id = id_member(raw, "recipient_id").value_or(""),
                        .error = first_error(raw),
                        .callback_data = string_member(raw, "biz_opaque_callback_data")};
}

// Walks one delivery, collecting what it understood and why it ignored the rest.
class Normalizer {
public:
    NormalizedDelivery run(const json& body) {
        if (!body.is_object()) {
            ignore("body", "is not a JSON object");
            return std::move(out_);
        }
        const auto object = string_member(body, "object");
        if (!object) {
            ignore("object", "missing or not a string");
        } else if (*object != kWhatsAppObject) {
            ignore("object", "\"" + *object + "\" is not handled");
        } else {
            each(body, "entry", "", [this](const json& entry, const std::string& where) { visit_entry(entry, where); });
        }
        return std::move(out_);
    }

private:
    void ignore(const std::string& where, std::string_view why) {
        out_.ignored.push_back({.reason = where + ": " + std::string(why)});
    }

    // Visits every element of the array `parent[key]`; an element whose visit throws is ignored, not the array.
    template <typename Visit>
    void each(const json& parent, const char* key, const std::string& where, Visit visit) {
        const std::string path = where.empty() ? std::string(key) : where + "." + key;
        const json* array = member(parent, key);
        if (array == nullptr) return;
        if (!array->is_array()) return ignore(path, "is not an array");
        for (std::size_t i = 0; i < array->size(); ++i) {
            const std::string element_path = path + "[" + std::to_string(i) + "]";
            try {
                visit((*array)[i], element_path);
            } catch (const json::exception& error) {
                ignore(element_path, error.what());
            }
        }
    }

    template <typename T, typename Parse>
    void collect(const json& parent, const char* key, const std::string& where, std::vector<T>& into, Parse parse) {
        each(parent, key, where, [&](const json& element, const std::string& element_path) {
            Parsed<T> parsed = parse(element);
            if (T* value = std::get_if<T>(&parsed)) {
                into.push_back(std::move(*value));
            } else {
                ignore(element_path, std::get<Rejection>(parsed).reason);
            }
        });
    }

    void visit_entry(const json& entry, const std::string& where) {
        if (!entry.is_object()) return ignore(where, "entry is not an object");
        const std::string waba_id = id_member(entry, "id").value_or("");
        if (member(entry, "changes") == nullptr) return ignore(where, R"(entry without "changes")");
        each(entry, "changes", where,
             [&](const json& change, const std::string& path) { visit_change(change, waba_id, path); });
    }

    void visit_change(const json& change, const std::string& waba_id, const std::string& where) {
        if (!change.is_object()) return ignore(where, "change is not an object");
        const auto field = string_member(change, "field");
        if (!field) return ignore(where, R"(change without "field")");
        const json* value = member(change, "value");
        if (*field != "messages" && *field != "message_template_status_update") {
            return ignore(where, "field \"" + *field + "\" is not handled");
        }
        if (value == nullptr || !value->is_object()) return ignore(where, R"("value" is missing or not an object)");
        if (*field == "messages") return visit_messages_value(*value, waba_id, where + ".value");
        visit_template_value(*value, waba_id, where + ".value");
    }

    void visit_messages_value(const json& value, const std::string& waba_id, const std::string& where) {
        const json* metadata = member(value, "metadata");
        auto phone_number_id = metadata == nullptr ? std::nullopt : id_member(*metadata, "phone_number_id");
        if (!phone_number_id) return ignore(where, R"(messages change without "metadata.phone_number_id")");
        AccountChange change{.phone_number_id = std::move(*phone_number_id),
                             .display_phone_number = id_member(*metadata, "display_phone_number").value_or(""),
                             .waba_id = waba_id};
        collect(value, "contacts", where, change.contacts, parse_contact);
        collect(value, "messages", where, change.messages, parse_message);
        collect(value, "statuses", where, change.statuses, parse_status_update);
        out_.account_changes.push_back(std::move(change));
    }

    void visit_template_value(const json& value, const std::string& waba_id, const std::string& where) {
        auto event = non_empty_string_member(value, "event");
        if (!event) return ignore(where, R"(template status update without "event")");
        auto template_id = id_member(value, "message_template_id");
        auto name = non_empty_string_member(value, "message_template_name");
        if (!template_id && !name) {
            return ignore(where, R"(template status update without "message_template_id" or "message_template_name")");
        }
        out_.template_status_changes.push_back(
            {.waba_id = waba_id,
             .message_template_id = template_id.value_or(""),
             .name = name.value_or(""),
             .language = string_member(value, "message_template_language").value_or(""),
             .event = std::move(*event),
             .reason = string_member(value, "reason")});
    }

    NormalizedDelivery out_;
};

}  // namespace

NormalizedDelivery normalize_webhook(const nlohmann::json& body) { return Normalizer{}.run(body); }

}  // namespace inbox::domain
