#pragma once
// A small Prometheus-compatible metrics registry. Instruments are created once and live as long as the registry;
// callers on hot paths keep the returned reference instead of looking it up per event.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inbox::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double delta) noexcept;
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value) noexcept;

    const std::vector<double>& upper_bounds() const noexcept { return upper_bounds_; }
    std::vector<std::uint64_t> cumulative_counts() const;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> upper_bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative; last one is +Inf
    std::atomic<std::uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

// Seconds: 0.5 ms .. 10 s, good for both in-process latencies and Graph round trips.
std::vector<double> latency_buckets_seconds();

class MetricsRegistry {
public:
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {},
                         std::vector<double> upper_bounds = latency_buckets_seconds());
    // A gauge read at exposition time (pool sizes, queue depths owned by someone else).
    void gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> read);

    // Text exposition format 0.0.4.
    std::string render_prometheus() const;

private:
    enum class Kind { counter, gauge, histogram };
    struct Series {
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
        std::function<double()> read;
    };
    struct Family {
        Kind kind;
        std::string help;
        std::map<std::string, Series> series;  // keyed by rendered label set
    };
    Series& series_for(std::string_view name, std::string_view help, Kind kind, const Labels& labels);

    mutable std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
};

}  // namespace inbox::observability
