#pragma once
// spdlog set-up and the structured lines every part of the server shares.
#include <chrono>
#include <cstddef>
#include <string_view>

namespace inbox::observability {

enum class LogStyle { text, json };

// Throws std::invalid_argument for an unknown level name.
void configure_logging(std::string_view level, LogStyle style);

struct AccessLogEntry {
    std::string_view request_id;
    std::string_view method;
    std::string_view target;
    std::string_view route;
    unsigned status;
    std::size_t response_bytes;
    std::chrono::steady_clock::duration elapsed;
    std::string_view user;  // empty when unauthenticated
};

void log_access(const AccessLogEntry& entry);

}  // namespace inbox::observability
