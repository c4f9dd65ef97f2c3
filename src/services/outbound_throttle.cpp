#include "inbox/services/outbound_throttle.hpp"

#include <algorithm>
#include <cmath>

namespace inbox::services {
namespace {

constexpr int kPairRateLimitCode = 131056;  // too many messages from this number to this customer
constexpr std::size_t kMaxPausedPairs = 10'000;

std::chrono::milliseconds until(std::chrono::steady_clock::time_point later,
                                std::chrono::steady_clock::time_point now) {
    if (later <= now) return std::chrono::milliseconds::zero();
    return std::chrono::ceil<std::chrono::milliseconds>(later - now);
}

}  // namespace

OutboundThrottle::OutboundThrottle(OutboundThrottleOptions options, Clock clock)
    : options_(options), clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

OutboundThrottle::Number& OutboundThrottle::number(const std::string& phone_number_id, TimePoint now) {
    const double capacity = std::max(1.0, options_.messages_per_second);
    auto [it, inserted] = numbers_.try_emplace(phone_number_id);
    auto& state = it->second;
    if (inserted) {
        state.tokens = capacity;
    } else {
        const double elapsed = std::chrono::duration<double>(now - state.refilled).count();
        state.tokens = std::min(capacity, state.tokens + elapsed * options_.messages_per_second);
    }
    state.refilled = now;
    return state;
}

std::chrono::milliseconds OutboundThrottle::admit(const std::string& phone_number_id, const std::string& recipient) {
    const auto now = clock_();
    const std::lock_guard lock(mutex_);
    if (auto pair = pairs_.find(phone_number_id + "/" + recipient); pair != pairs_.end()) {
        if (auto wait = until(pair->second.paused_until, now); wait.count() > 0) return wait;
    }
    auto& state = number(phone_number_id, now);
    if (auto wait = until(state.paused_until, now); wait.count() > 0) return wait;
    if (state.tokens >= 1.0) {
        state.tokens -= 1.0;
        return std::chrono::milliseconds::zero();
    }
    const double seconds = (1.0 - state.tokens) / options_.messages_per_second;
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0))));
}

std::chrono::milliseconds OutboundThrottle::pause(TimePoint& paused_until, std::chrono::milliseconds& next_pause,
                                                  TimePoint now) {
    if (next_pause.count() == 0) next_pause = options_.first_pause;
    // Answers arriving while already paused (sends that were in flight) do not stretch the pause again.
    if (paused_until <= now) {
        paused_until = now + next_pause;
        next_pause = std::min(options_.longest_pause, next_pause * 2);
    }
    return until(paused_until, now);
}

std::chrono::milliseconds OutboundThrottle::throttled(const std::string& phone_number_id, const std::string& recipient,
                                                      int graph_code) {
    const auto now = clock_();
    const std::lock_guard lock(mutex_);
    if (graph_code == kPairRateLimitCode) {
        forget_expired_pairs(now);
        auto& pair = pairs_[phone_number_id + "/" + recipient];
        return pause(pair.paused_until, pair.next_pause, now);
    }
    auto& state = number(phone_number_id, now);
    state.tokens = 0;
    return pause(state.paused_until, state.next_pause, now);
}

void OutboundThrottle::accepted(const std::string& phone_number_id, const std::string& recipient) {
    const std::lock_guard lock(mutex_);
    if (auto it = numbers_.find(phone_number_id); it != numbers_.end()) it->second.next_pause = {};
    if (!pairs_.empty()) pairs_.erase(phone_number_id + "/" + recipient);
}

void OutboundThrottle::forget_expired_pairs(TimePoint now) {
    if (pairs_.size() < kMaxPausedPairs) return;
    std::erase_if(pairs_, [now](const auto& entry) { return entry.second.paused_until <= now; });
}

int retry_after_seconds(std::chrono::milliseconds wait) noexcept {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    return static_cast<int>(std::max<std::int64_t>(1, seconds));
}

}  // namespace inbox::services
