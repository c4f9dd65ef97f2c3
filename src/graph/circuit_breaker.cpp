#include "inbox/graph/circuit_breaker.hpp"

#include <stdexcept>

#include "inbox/observability/metrics.hpp"

namespace inbox::graph {

const char* to_string(BreakerState state) noexcept {
    switch (state) {
        case BreakerState::closed:
            return "closed";
        case BreakerState::half_open:
            return "half_open";
        case BreakerState::open:
            return "open";
    }
    return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string family, CircuitBreakerOptions options, Clock clock,
                               observability::MetricsRegistry* metrics)
    : family_(std::move(family)),
      options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      metrics_(metrics) {
    if (options_.window == 0 || options_.minimum_calls > options_.window || options_.consecutive_failures == 0) {
        throw std::invalid_argument("circuit breaker: window must be > 0 and hold minimum_calls");
    }
    if (metrics_) {
        state_gauge_ = &metrics_->gauge("inbox_graph_breaker_state",
                                        "Circuit breaker state per Graph family (0 closed, 1 half-open, 2 open)",
                                        {{"family", family_}});
        state_gauge_->set(0);
    }
}

bool CircuitBreaker::allow() {
    const std::lock_guard lock(mutex_);
    switch (state_) {
        case BreakerState::closed:
            return true;
        case BreakerState::half_open:
            // A probe whose caller vanished without reporting (a cancelled coroutine) must not wedge the breaker:
            // after another open_duration the next caller probes instead.
            if (probe_in_flight_ && clock_() - probe_started_ < options_.open_duration) return false;
            probe_in_flight_ = true;
            probe_started_ = clock_();
            return true;
        case BreakerState::open:
            if (clock_() - opened_at_ < options_.open_duration) return false;
            transition(BreakerState::half_open);
            probe_in_flight_ = true;
            probe_started_ = clock_();
            return true;
    }
    return false;
}

void CircuitBreaker::record_success() { record(false); }
void CircuitBreaker::record_failure() { record(true); }

void CircuitBreaker::record(bool failure) {
    const std::lock_guard lock(mutex_);
    switch (state_) {
        case BreakerState::open:
            return;  // a call let through before the breaker opened: its outcome changes nothing now
        case BreakerState::half_open:
            probe_in_flight_ = false;
            transition(failure ? BreakerState::open : BreakerState::closed);
            return;
        case BreakerState::closed:
            outcomes_.push_back(failure);
            failures_in_window_ += failure ? 1 : 0;
            if (outcomes_.size() > options_.window) {
                failures_in_window_ -= outcomes_.front() ? 1 : 0;
                outcomes_.pop_front();
            }
            consecutive_failures_ = failure ? consecutive_failures_ + 1 : 0;
            if (should_trip()) transition(BreakerState::open);
            return;
    }
}

bool CircuitBreaker::should_trip() const {
    if (consecutive_failures_ >= options_.consecutive_failures) return true;
    return outcomes_.size() >= options_.minimum_calls &&
           static_cast<double>(failures_in_window_) >= options_.failure_ratio * static_cast<double>(outcomes_.size());
}

void CircuitBreaker::transition(BreakerState to) {
    state_ = to;
    if (to == BreakerState::open) opened_at_ = clock_();
    if (to != BreakerState::closed) {
        outcomes_.clear();
        failures_in_window_ = 0;
        consecutive_failures_ = 0;
    }
    if (metrics_) {
        state_gauge_->set(static_cast<double>(to));
        metrics_
            ->counter("inbox_graph_breaker_transitions_total", "Circuit breaker state changes per Graph family",
                      {{"family", family_}, {"to", to_string(to)}})
            .inc();
    }
}

BreakerState CircuitBreaker::state() const {
    const std::lock_guard lock(mutex_);
    return state_;
}

std::chrono::milliseconds CircuitBreaker::time_until_probe() const {
    const std::lock_guard lock(mutex_);
    if (state_ != BreakerState::open) return std::chrono::milliseconds::zero();
    const auto left = options_.open_duration - (clock_() - opened_at_);
    return std::max(std::chrono::milliseconds::zero(), std::chrono::ceil<std::chrono::milliseconds>(left));
}

}  // namespace inbox::graph
