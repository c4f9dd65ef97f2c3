#pragma once
// Overload protection for request handling: past a cap on requests in flight, or while the event loop lags behind
// its timers, a request is answered 503 `service_unavailable` + Retry-After at once instead of joining a queue
// whose latency would grow without bound. Operations routes (/health, /ready, /metrics) are never shed.
// Thread-safe; the lag comes from LoopLagProbe.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability

namespace inbox::http {

struct LoadShedderOptions {
    std::size_t max_in_flight = 1024;             // 0: no cap
    std::chrono::milliseconds max_loop_lag{250};  // 0: the lag is not checked
};

class LoadShedder {
public:
    enum class Reason { in_flight, loop_lag };

    // Holds one request's place in flight; the place is given back when it is destroyed.
    class Ticket {
    public:
        explicit Ticket(LoadShedder* owner) : owner_(owner) {}
        Ticket(Ticket&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Ticket& operator=(Ticket&&) = delete;
        ~Ticket() {
            if (owner_) owner_->state_->in_flight.fetch_sub(1, std::memory_order_relaxed);
        }

    private:
        LoadShedder* owner_;
    };

    LoadShedder(LoadShedderOptions options, observability::MetricsRegistry& metrics);

    // A ticket, or why the request must be shed.
    struct Admission {
        std::optional<Ticket> ticket;
        Reason reason = Reason::in_flight;
    };
    Admission admit();

    // The event loop's latest lag (how late a timer fired), from LoopLagProbe.
    void observe_loop_lag(std::chrono::steady_clock::duration lag) noexcept;

    std::size_t in_flight() const noexcept { return state_->in_flight.load(std::memory_order_relaxed); }
    std::chrono::microseconds loop_lag() const noexcept {
        return std::chrono::microseconds(state_->loop_lag_us.load(std::memory_order_relaxed));
    }

private:
    // Shared with the /metrics callbacks, which may outlive this object in the registry.
    struct State {
        std::atomic<std::size_t> in_flight{0};
        std::atomic<std::int64_t> loop_lag_us{0};
    };

    LoadShedderOptions options_;
    std::shared_ptr<State> state_ = std::make_shared<State>();
    observability::Counter* shed_in_flight_;
    observability::Counter* shed_loop_lag_;
};

}  // namespace inbox::http
