#include "loadgen/stats.hpp"

#include <algorithm>

namespace inbox::loadgen {

std::string_view error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::connect:
            return "connect";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::reset:
            return "reset";
        case ErrorKind::protocol:
            return "protocol";
        case ErrorKind::dropped:
            return "dropped";
        case ErrorKind::unfinished:
            return "unfinished";
    }
    return "unknown";
}

std::uint64_t EndpointStats::error_count() const {
    std::uint64_t total = 0;
    for (std::uint64_t count : errors) total += count;
    return total;
}

void EndpointStats::merge(const EndpointStats& other) {
    scheduled += other.scheduled;
    completed_in_window += other.completed_in_window;
    latency.merge(other.latency);
    for (const auto& [code, count] : other.status) status[code] += count;
    for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
}

Recorder::Recorder(std::size_t endpoints, MeasureWindow window) : window_(window), endpoints_(endpoints) {}

void Recorder::on_scheduled(std::size_t endpoint, TimePoint scheduled) {
    if (!window_.measures(scheduled)) return;
    std::lock_guard lock(mutex_);
    ++endpoints_.at(endpoint).scheduled;
}

void Recorder::on_response(std::size_t endpoint, const RequestTiming& timing, unsigned status) {
    if (!window_.measures(timing.scheduled)) return;
    const auto latency = std::max<Nanos::rep>(0, timing.latency().count());
    std::lock_guard lock(mutex_);
    EndpointStats& stats = endpoints_.at(endpoint);
    stats.latency.record(static_cast<std::uint64_t>(latency));
    ++stats.status[status];
    if (timing.completed < window_.end) ++stats.completed_in_window;
}

void Recorder::on_error(std::size_t endpoint, TimePoint scheduled, ErrorKind kind) {
    if (!window_.measures(scheduled)) return;
    std::lock_guard lock(mutex_);
    ++endpoints_.at(endpoint).errors.at(static_cast<std::size_t>(kind));
}

std::vector<EndpointStats> Recorder::snapshot() const {
    std::lock_guard lock(mutex_);
    return endpoints_;
}

}  // namespace inbox::loadgen
