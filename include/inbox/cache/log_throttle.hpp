#pragma once
// Lets one log line through per interval and counts the ones it held back, so a dead dependency writes a line every
// few seconds instead of one per request.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace inbox::cache {

class LogThrottle {
public:
    explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

    // When a line may be written now: how many were suppressed since the last one. Otherwise nullopt.
    std::optional<std::uint64_t> admit(std::chrono::steady_clock::time_point now);

private:
    std::chrono::steady_clock::duration interval_;
    std::mutex mutex_;
    std::optional<std::chrono::steady_clock::time_point> last_written_;
    std::uint64_t suppressed_ = 0;
};

}  // namespace inbox::cache
