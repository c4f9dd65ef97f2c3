#pragma once
// A circuit breaker per Graph operation family (ARCHITECTURE.md "Circuit breaker"). A pure state machine: time
// comes from an injected clock, I/O belongs to the caller, which asks allow() before a call and reports its
// outcome with record_success() / record_failure(). Thread-safe.
//
//   closed ──(≥ failure_ratio of the last `window` calls, at least `minimum_calls` of them,
//             or `consecutive_failures` in a row)──► open
//   open ──(open_duration elapsed; the first allow() after it)──► half_open (that allow() is the probe)
//   half_open ──probe succeeds──► closed (history cleared)
//   half_open ──probe fails──► open (for another open_duration)
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace inbox::observability {
class MetricsRegistry;
class Gauge;
class Counter;
}  // namespace inbox::observability

namespace inbox::graph {

enum class BreakerState { closed = 0, half_open = 1, open = 2 };  // values are the exported gauge values
const char* to_string(BreakerState state) noexcept;

struct CircuitBreakerOptions {
    std::size_t window = 20;
    std::size_t minimum_calls = 10;
    double failure_ratio = 0.5;
    std::size_t consecutive_failures = 5;
    std::chrono::milliseconds open_duration{30'000};
};

class CircuitBreaker {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    // `metrics` may be null (unit tests); otherwise it must outlive the breaker.
    explicit CircuitBreaker(std::string family, CircuitBreakerOptions options = {}, Clock clock = {},
                            observability::MetricsRegistry* metrics = nullptr);

    // True when a call may go out now. In half_open exactly one caller gets true until the probe's outcome is
    // recorded (or, should it never be, until open_duration has passed since the probe started).
    bool allow();
    void record_success();
    void record_failure();

    BreakerState state() const;
    // While open: time until a probe will be let through (zero otherwise).
    std::chrono::milliseconds time_until_probe() const;
    const std::string& family() const noexcept { return family_; }

private:
    void transition(BreakerState to);  // mutex held
    void record(bool failure);
    bool should_trip() const;  // mutex held, state closed

    const std::string family_;
    const CircuitBreakerOptions options_;
    const Clock clock_;

    mutable std::mutex mutex_;
    BreakerState state_ = BreakerState::closed;
    std::deque<bool> outcomes_;  // closed only: last `window` calls, true = failure
    std::size_t failures_in_window_ = 0;
    std::size_t consecutive_failures_ = 0;
    bool probe_in_flight_ = false;
    std::chrono::steady_clock::time_point probe_started_{};
    std::chrono::steady_clock::time_point opened_at_{};

    observability::Gauge* state_gauge_ = nullptr;
    observability::MetricsRegistry* metrics_ = nullptr;
};

}  // namespace inbox::graph
