#include "inbox/services/inbox_cache_codec.hpp"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace inbox::services {
namespace {

using nlohmann::json;

json micros_or_null(const std::optional<domain::TimePoint>& time) {
    if (!time) return nullptr;
    return std::chrono::duration_cast<std::chrono::microseconds>(time->time_since_epoch()).count();
}

std::optional<domain::TimePoint> time_or_null(const json& value) {
    if (value.is_null()) return std::nullopt;
    return domain::TimePoint{
        std::chrono::duration_cast<domain::TimePoint::duration>(std::chrono::microseconds{value.get<std::int64_t>()})};
}

json text_or_null(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

std::optional<std::string> optional_text(const json& value) {
    if (value.is_null()) return std::nullopt;
    return value.get<std::string>();
}

}  // namespace

std::string encode_conversation(const domain::Conversation& c) {
    return json{{"id", c.id},
                {"account_id", c.account_id},
                {"contact_id", c.contact.id},
                {"contact_wa_id", c.contact.wa_id},
                {"contact_name", text_or_null(c.contact.name)},
                {"status", c.status},
                {"unread_count", c.unread_count},
                {"last_message_at_us", micros_or_null(c.last_message_at)},
                {"last_message_preview", text_or_null(c.last_message_preview)},
                {"last_inbound_at_us", micros_or_null(c.last_inbound_at)}}
        .dump();
}

std::optional<domain::Conversation> decode_conversation(std::string_view text) {
    auto value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_object()) return std::nullopt;
    try {
        domain::Conversation c;
        c.id = value.at("id").get<std::string>();
        c.account_id = value.at("account_id").get<std::string>();
        c.contact.id = value.at("contact_id").get<std::string>();
        c.contact.wa_id = value.at("contact_wa_id").get<std::string>();
        c.contact.name = optional_text(value.at("contact_name"));
        c.status = value.at("status").get<std::string>();
        c.unread_count = value.at("unread_count").get<int>();
        c.last_message_at = time_or_null(value.at("last_message_at_us"));
        c.last_message_preview = optional_text(value.at("last_message_preview"));
        c.last_inbound_at = time_or_null(value.at("last_inbound_at_us"));
        return c;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::string encode_account_ids(const std::vector<std::string>& account_ids) { return json(account_ids).dump(); }

std::optional<std::vector<std::string>> decode_account_ids(std::string_view text) {
    auto value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_array()) return std::nullopt;
    std::vector<std::string> ids;
    for (const auto& id : value) {
        if (!id.is_string()) return std::nullopt;
        ids.push_back(id.get<std::string>());
    }
    return ids;
}

}  // namespace inbox::services
