#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/schedule.hpp"

namespace inbox::loadgen {

// Why a request got no HTTP response.
enum class ErrorKind { connect, timeout, reset, protocol, dropped, unfinished };
inline constexpr std::size_t kErrorKindCount = 6;
std::string_view error_kind_name(ErrorKind kind);

struct EndpointStats {
    std::uint64_t scheduled = 0;            // measured requests the scheduler released
    std::uint64_t completed_in_window = 0;  // responses that arrived before the window closed
    LatencyHistogram latency;               // one value (ns) per response, from the scheduled time
    std::map<unsigned, std::uint64_t> status;
    std::array<std::uint64_t, kErrorKindCount> errors{};

    std::uint64_t responses() const { return latency.count(); }
    std::uint64_t error_count() const;
    void merge(const EndpointStats& other);
};

// The measured part of the run: requests scheduled in [begin, end) are recorded, warm-up ones are not.
struct MeasureWindow {
    TimePoint begin;
    TimePoint end;

    bool measures(TimePoint scheduled) const { return scheduled >= begin && scheduled < end; }
    double seconds() const { return std::chrono::duration<double>(end - begin).count(); }
};

// Collects outcomes per endpoint; safe to call from every connection's thread.
class Recorder {
public:
    Recorder(std::size_t endpoints, MeasureWindow window);

    // For a run whose start is known only later; call before anything is recorded.
    void set_window(MeasureWindow window) { window_ = window; }

    void on_scheduled(std::size_t endpoint, TimePoint scheduled);
    void on_response(std::size_t endpoint, const RequestTiming& timing, unsigned status);
    void on_error(std::size_t endpoint, TimePoint scheduled, ErrorKind kind);

    const MeasureWindow& window() const { return window_; }
    std::vector<EndpointStats> snapshot() const;

private:
    MeasureWindow window_;
    mutable std::mutex mutex_;
    std::vector<EndpointStats> endpoints_;
};

}  // namespace inbox::loadgen
