#include "support/request_checks.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "inbox/api/query_params.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/dispatcher.hpp"
#include "support/api_routes.hpp"
#include "support/check.hpp"

namespace inbox::fuzz {
namespace {

// Every name a handler passes to Request::query_param (src/api/*_routes.cpp) or the dispatcher reads.
constexpr std::array<std::string_view, 11> kQueryNames{"limit",    "offset",           "status",       "before",
                                                       "wait",     "expires",          "sig",          "access_token",
                                                       "hub.mode", "hub.verify_token", "hub.challenge"};

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_upper_hex(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; });
}

// Runs `parse`; a refusal must be the one API error its callers document (400 invalid_parameter, 404 not_found).
template <typename Parse>
void expect_value_or_refusal(Parse parse, http::Status status, std::string_view code) {
    try {
        parse();
    } catch (const http::ApiError& error) {
        INBOX_FUZZ_CHECK(error.status() == status);
        INBOX_FUZZ_CHECK(error.code() == code);
    }
}

template <typename Parse>
void expect_value_or_invalid_parameter(Parse parse) {
    expect_value_or_refusal(parse, http::Status::bad_request, "invalid_parameter");
}

void check_uuid(std::string_view text) {
    const auto normalized = api::normalize_uuid(text);
    INBOX_FUZZ_CHECK(normalized.has_value() == api::is_uuid(text));
    if (!normalized) return;
    INBOX_FUZZ_CHECK(normalized->size() == 36 && api::is_uuid(*normalized) && !has_upper_hex(*normalized));
    INBOX_FUZZ_CHECK(api::normalize_uuid(*normalized) == normalized);
}

void check_int_in_range(std::string_view text, int min, int max) {
    const auto value = api::parse_int_in_range(text, min, max);
    if (!value) return;
    INBOX_FUZZ_CHECK(*value >= min && *value <= max);
    INBOX_FUZZ_CHECK(is_digits(text));
    const auto digits = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
    INBOX_FUZZ_CHECK(digits == std::to_string(*value));
}

void check_page(const std::optional<std::string>& limit, const std::optional<std::string>& offset) {
    expect_value_or_invalid_parameter([&] {
        const auto page = api::parse_page(limit, offset);
        INBOX_FUZZ_CHECK(page.limit >= 1 && page.limit <= api::kMaxLimit);
        INBOX_FUZZ_CHECK(page.offset >= 0 && page.offset <= api::kMaxOffset);
        if (!limit) INBOX_FUZZ_CHECK(page.limit == api::kDefaultLimit);
        if (!offset) INBOX_FUZZ_CHECK(page.offset == 0);
    });
}

void check_filter(const std::optional<std::string>& status) {
    expect_value_or_invalid_parameter([&] {
        const auto filter = api::parse_conversation_filter(status);
        if (!status) INBOX_FUZZ_CHECK(filter == domain::ConversationFilter::open);
    });
}

void check_before(const std::optional<std::string>& before) {
    expect_value_or_invalid_parameter([&] {
        const auto cursor = api::parse_before(before);
        // Absent: no cursor; present: exactly one of a time or a lower-case message id.
        INBOX_FUZZ_CHECK(cursor.before_time.has_value() + cursor.before_message_id.has_value() == (before ? 1 : 0));
        if (cursor.before_message_id) INBOX_FUZZ_CHECK(cursor.before_message_id == api::normalize_uuid(*before));
    });
}

bool allow_lists(std::string_view allow, std::string_view method) {
    while (!allow.empty()) {
        const auto comma = allow.find(", ");
        if (allow.substr(0, comma) == method) return true;
        if (comma == std::string_view::npos) break;
        allow.remove_prefix(comma + 2);
    }
    return false;
}

}  // namespace

void check_routing(http::Request& request) {
    auto match = api_router().match(request.method(), http::target_path(request.target()));
    switch (match.kind) {
        case http::RouteMatch::Kind::not_found:
            INBOX_FUZZ_CHECK(match.route == nullptr && match.params.empty() && match.allow.empty());
            return;
        case http::RouteMatch::Kind::method_not_allowed:
            INBOX_FUZZ_CHECK(match.route == nullptr && !match.allow.empty());
            INBOX_FUZZ_CHECK(!allow_lists(match.allow, http::beast_http::to_string(request.method())));
            // A path with GET answers HEAD, so HEAD is never refused where Allow lists GET.
            INBOX_FUZZ_CHECK(request.method() != http::Verb::head || !allow_lists(match.allow, "GET"));
            INBOX_FUZZ_CHECK(!allow_lists(match.allow, "GET") || allow_lists(match.allow, "HEAD"));
            return;
        case http::RouteMatch::Kind::found:
            break;
    }
    // HEAD may be answered by the path's GET route (RFC 9110); any other method only by its own.
    INBOX_FUZZ_CHECK(match.route != nullptr &&
                     (match.route->method == request.method() ||
                      (request.method() == http::Verb::head && match.route->method == http::Verb::get)));
    const auto declared = std::count_if(match.route->segments.begin(), match.route->segments.end(),
                                        [](const std::string& segment) { return segment.starts_with('{'); });
    INBOX_FUZZ_CHECK(match.params.size() == static_cast<std::size_t>(declared));
    request.route_template = match.route->path_template;
    request.path_params = std::move(match.params);
    for (const auto& param : request.path_params) {
        const auto& [name, value] = param;
        INBOX_FUZZ_CHECK(!value.empty() && request.path_param(name) == value);
        check_uuid(value);
        if (!name.ends_with("_id")) continue;  // {key} of /media/{key} is checked by its signature, not its shape
        expect_value_or_refusal(
            [&] {
                const auto id = api::path_uuid(request, param.first, "resource");
                INBOX_FUZZ_CHECK(id == api::normalize_uuid(param.second));
            },
            http::Status::not_found, "not_found");
    }
}

void check_query_parameters(const http::Request& request) {
    for (const auto name : kQueryNames) {
        const auto value = request.query_param(name);
        INBOX_FUZZ_CHECK(request.has_query_param(name) == value.has_value());
        if (value) check_parameter_text(*value);
    }
    check_page(request.query_param("limit"), request.query_param("offset"));
    check_filter(request.query_param("status"));
    check_before(request.query_param("before"));
}

void check_parameter_text(std::string_view text) {
    const std::optional<std::string> value{std::string(text)};
    check_uuid(text);
    check_int_in_range(text, 1, api::kMaxLimit);
    check_int_in_range(text, 0, api::kMaxOffset);
    check_int_in_range(text, 0, 10);  // media `wait`
    check_page(value, std::nullopt);
    check_page(std::nullopt, value);
    check_filter(value);
    check_before(value);
}

}  // namespace inbox::fuzz
