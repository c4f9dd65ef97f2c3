#pragma once
// Strict parsing of the inbox routes' query and path parameters (API.md "Pagination"). Pure functions: every
// failure throws http::ApiError — invalid_parameter naming the parameter, or not_found for a path id that is not
// a UUID (an id that cannot exist is simply not found).
#include <optional>
#include <string>
#include <string_view>

#include "inbox/domain/inbox_query.hpp"

namespace inbox::http {
struct Request;
}

namespace inbox::api {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 200;
// Deep offsets cost a scan of every skipped row; the cursor (`before`) is the way through long histories.
inline constexpr int kMaxOffset = 100'000;

// `text` as a plain decimal (digits only: no sign, space or fraction) within [min, max]; nullopt otherwise.
std::optional<int> parse_int_in_range(std::string_view text, int min, int max);

// limit (1–200, default 50) and offset (0–kMaxOffset, default 0); absent values take the default.
domain::PageRequest parse_page(const std::optional<std::string>& limit, const std::optional<std::string>& offset);

// open (default) | closed | all.
domain::ConversationFilter parse_conversation_filter(const std::optional<std::string>& status);

// An RFC 3339 time or a message UUID; absent → no cursor.
domain::MessageCursor parse_before(const std::optional<std::string>& before);

// 8-4-4-4-12 hexadecimal digits, either case.
bool is_uuid(std::string_view text);
// The lower-case form of a UUID (the form Postgres prints and cache keys use); nullopt when not a UUID.
std::optional<std::string> normalize_uuid(std::string_view text);

// The path parameter `name` as a lower-case UUID; throws not_found("<what> not found") when it is not one.
std::string path_uuid(const http::Request& request, std::string_view name, std::string_view what);

}  // namespace inbox::api
