#pragma once

#include <chrono>
#include <cstdint>

namespace inbox::loadgen {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Nanos = std::chrono::nanoseconds;

// Open-loop arrival schedule: the i-th request is due at start + i / rate, whatever happened to the
// requests before it. Offsets are computed from i directly, so they never accumulate rounding drift.
class Schedule {
public:
    explicit Schedule(double rate_per_second);

    Nanos offset(std::uint64_t index) const;
    // Number of requests due strictly before `elapsed` (the size of a run of that length).
    std::uint64_t count_before(Nanos elapsed) const;

    double rate() const { return rate_; }

private:
    double rate_;
};

// When a request was due, when a connection actually wrote it, and when its response was complete.
// The latency runs from the scheduled time: time spent waiting for a busy connection counts, which is
// what a closed-loop tool hides (coordinated omission).
struct RequestTiming {
    TimePoint scheduled;
    TimePoint sent;
    TimePoint completed;

    Nanos latency() const { return completed - scheduled; }
    Nanos queue_delay() const { return sent - scheduled; }
    Nanos service_time() const { return completed - sent; }
};

}  // namespace inbox::loadgen
