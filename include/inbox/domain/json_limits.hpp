#pragma once
// Limits on the shape of untrusted JSON text, checked by one linear scan before any document is built: nlohmann
// parses and frees any depth, but dumping a deeply nested value recurses once per level (1 MiB of '[' overflows
// the stack), and a body of tiny values costs ~30 bytes of memory per value. Invalid JSON is not this check's
// business: the parser decides that afterwards.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::domain {

struct JsonLimits {
    std::size_t max_depth;
    std::size_t max_values;
};

// API request bodies (the largest is a send: two members).
inline constexpr JsonLimits kApiBodyJsonLimits{.max_depth = 32, .max_values = 10'000};
// Webhook deliveries: Meta's are ~10 levels deep; a large batch carries thousands of values.
inline constexpr JsonLimits kWebhookJsonLimits{.max_depth = 64, .max_values = 500'000};

// nullopt within the limits; otherwise what was exceeded, for an error message.
std::optional<std::string> json_limit_exceeded(std::string_view text, JsonLimits limits);

}  // namespace inbox::domain
