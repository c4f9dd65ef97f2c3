#include "inbox/api/query_params.hpp"

#include "inbox/domain/time.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

namespace inbox::api {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int parse_param(const std::optional<std::string>& value, const char* name, int min, int max, int fallback) {
    if (!value) return fallback;
    auto parsed = parse_int_in_range(*value, min, max);
    if (!parsed) {
        throw http::ApiError::invalid_parameter(std::string(name) + " must be an integer from " + std::to_string(min) +
                                                " to " + std::to_string(max));
    }
    return *parsed;
}

}  // namespace

std::optional<int> parse_int_in_range(std::string_view text, int min, int max) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    long long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max) return std::nullopt;
    return static_cast<int>(value);
}

domain::PageRequest parse_page(const std::optional<std::string>& limit, const std::optional<std::string>& offset) {
    return {parse_param(limit, "limit", 1, kMaxLimit, kDefaultLimit), parse_param(offset, "offset", 0, kMaxOffset, 0)};
}

domain::ConversationFilter parse_conversation_filter(const std::optional<std::string>& status) {
    if (!status || *status == "open") return domain::ConversationFilter::open;
    if (*status == "closed") return domain::ConversationFilter::closed;
    if (*status == "all") return domain::ConversationFilter::all;
    throw http::ApiError::invalid_parameter("status must be one of open, closed, all");
}

domain::MessageCursor parse_before(const std::optional<std::string>& before) {
    domain::MessageCursor cursor;
    if (!before) return cursor;
    if (auto id = normalize_uuid(*before)) {
        cursor.before_message_id = std::move(*id);
    } else if (auto time = domain::parse_rfc3339(*before)) {
        cursor.before_time = *time;
    } else {
        throw http::ApiError::invalid_parameter("before must be an RFC 3339 time or a message id");
    }
    return cursor;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_position ? text[i] != '-' : !is_hex(text[i])) return false;
    }
    return true;
}

std::optional<std::string> normalize_uuid(std::string_view text) {
    if (!is_uuid(text)) return std::nullopt;
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    return lower;
}

std::string path_uuid(const http::Request& request, std::string_view name, std::string_view what) {
    auto id = normalize_uuid(request.path_param(name));
    if (!id) throw http::ApiError::not_found(std::string(what) + " not found");
    return std::move(*id);
}

}  // namespace inbox::api
