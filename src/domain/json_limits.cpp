#include "inbox/domain/json_limits.hpp"

namespace inbox::domain {

std::optional<std::string> json_limit_exceeded(std::string_view text, JsonLimits limits) {
    std::size_t depth = 0;
    std::size_t values = 1;  // the top-level value; each container and each comma adds one
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > limits.max_depth) {
                    return "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels";
                }
                ++values;
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                break;
            case ',':
                ++values;
                break;
            default:
                continue;
        }
        if (values > limits.max_values) return "JSON with more than " + std::to_string(limits.max_values) + " values";
    }
    return std::nullopt;
}

}  // namespace inbox::domain
