#include "inbox/observability/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace inbox::observability {
namespace {

template <typename T>
void atomic_add(std::atomic<T>& target, T delta) noexcept {
    T current = target.load(std::memory_order_relaxed);
    while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
    }
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string render_labels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {}) {
    if (labels.empty() && extra_name.empty()) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += name + "=\"" + escape_label_value(value) + '"';
    }
    if (!extra_name.empty()) {
        if (!first) out += ',';
        out += std::string(extra_name) + "=\"" + std::string(extra_value) + '"';
    }
    out += '}';
    return out;
}

std::string format_number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    std::ostringstream out;
    out.precision(10);
    out << value;
    return out.str();
}

}  // namespace

void Gauge::add(double delta) noexcept { atomic_add(value_, delta); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {
    if (!std::is_sorted(upper_bounds_.begin(), upper_bounds_.end())) {
        throw std::invalid_argument("histogram bounds must be sorted");
    }
}

void Histogram::observe(double value) noexcept {
    auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
    buckets_[static_cast<std::size_t>(it - upper_bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    atomic_add(sum_, value);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
    std::vector<std::uint64_t> out(upper_bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        out[i] = running;
    }
    return out;
}

std::vector<double> latency_buckets_seconds() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Series& MetricsRegistry::series_for(std::string_view name, std::string_view help, Kind kind,
                                                     const Labels& labels) {
    auto family = families_.find(name);
    if (family == families_.end()) {
        family = families_.emplace(std::string(name), Family{kind, std::string(help), {}}).first;
    } else if (family->second.kind != kind) {
        throw std::logic_error("metric " + std::string(name) + " registered with two kinds");
    }
    auto key = render_labels(labels);
    auto [it, inserted] = family->second.series.try_emplace(key);
    if (inserted) it->second.labels = labels;
    return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& series = series_for(name, help, Kind::counter, labels);
    if (!series.counter) series.counter = std::make_unique<Counter>();
    return *series.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& series = series_for(name, help, Kind::gauge, labels);
    if (!series.gauge) series.gauge = std::make_unique<Gauge>();
    return *series.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                                      std::vector<double> upper_bounds) {
    std::lock_guard lock(mutex_);
    auto& series = series_for(name, help, Kind::histogram, labels);
    if (!series.histogram) series.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
    return *series.histogram;
}

void MetricsRegistry::gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                                     std::function<double()> read) {
    std::lock_guard lock(mutex_);
    series_for(name, help, Kind::gauge, labels).read = std::move(read);
}

std::string MetricsRegistry::render_prometheus() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        const char* type = family.kind == Kind::counter ? "counter" : family.kind == Kind::gauge ? "gauge" : "histogram";
        out += "# HELP " + name + ' ' + family.help + '\n';
        out += "# TYPE " + name + ' ' + type + '\n';
        for (const auto& [label_key, series] : family.series) {
            if (series.counter) {
                out += name + label_key + ' ' + std::to_string(series.counter->value()) + '\n';
            } else if (series.read || series.gauge) {
                double value = series.read ? series.read() : series.gauge->value();
                out += name + label_key + ' ' + format_number(value) + '\n';
            } else if (series.histogram) {
                const auto& bounds = series.histogram->upper_bounds();
                auto counts = series.histogram->cumulative_counts();
                for (std::size_t i = 0; i < counts.size(); ++i) {
                    double bound = i < bounds.size() ? bounds[i] : INFINITY;
                    out += name + "_bucket" + render_labels(series.labels, "le", format_number(bound)) + ' ' +
                           std::to_string(counts[i]) + '\n';
                }
                out += name + "_sum" + label_key + ' ' + format_number(series.histogram->sum()) + '\n';
                out += name + "_count" + label_key + ' ' + std::to_string(counts.back()) + '\n';
            }
        }
    }
    return out;
}

}  // namespace inbox::observability
