#include "inbox/cache/log_throttle.hpp"

#include <utility>

namespace inbox::cache {

std::optional<std::uint64_t> LogThrottle::admit(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (last_written_ && now - *last_written_ < interval_) {
        ++suppressed_;
        return std::nullopt;
    }
    last_written_ = now;
    return std::exchange(suppressed_, 0);
}

}  // namespace inbox::cache
