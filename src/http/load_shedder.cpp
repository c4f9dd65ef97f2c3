#include "inbox/http/load_shedder.hpp"

#include "inbox/observability/metrics.hpp"

namespace inbox::http {

LoadShedder::LoadShedder(LoadShedderOptions options, observability::MetricsRegistry& metrics)
    : options_(options),
      shed_in_flight_(&metrics.counter("inbox_http_shed_total", "Requests answered 503 at once because of overload",
                                       {{"reason", "in_flight"}})),
      shed_loop_lag_(&metrics.counter("inbox_http_shed_total", "Requests answered 503 at once because of overload",
                                      {{"reason", "loop_lag"}})) {
    metrics.gauge_callback("inbox_http_in_flight", "Requests being handled (operations routes excluded)", {},
                           [state = state_] { return static_cast<double>(state->in_flight.load()); });
    metrics.gauge_callback("inbox_event_loop_lag_seconds", "How late the I/O loop ran its latest probe timer", {},
                           [state = state_] { return static_cast<double>(state->loop_lag_us.load()) / 1e6; });
}

LoadShedder::Admission LoadShedder::admit() {
    if (options_.max_loop_lag.count() > 0 && loop_lag() > options_.max_loop_lag) {
        shed_loop_lag_->inc();
        return {std::nullopt, Reason::loop_lag};
    }
    auto before = state_->in_flight.fetch_add(1, std::memory_order_relaxed);
    if (options_.max_in_flight > 0 && before >= options_.max_in_flight) {
        state_->in_flight.fetch_sub(1, std::memory_order_relaxed);
        shed_in_flight_->inc();
        return {std::nullopt, Reason::in_flight};
    }
    return {Ticket(this), Reason::in_flight};
}

void LoadShedder::observe_loop_lag(std::chrono::steady_clock::duration lag) noexcept {
    state_->loop_lag_us.store(std::chrono::duration_cast<std::chrono::microseconds>(lag).count(),
                              std::memory_order_relaxed);
}

}  // namespace inbox::http
