#include "loadgen/report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace inbox::loadgen {
namespace {

using nlohmann::json;

constexpr double kPercentiles[] = {50.0, 95.0, 99.0, 99.9};
constexpr const char* kPercentileKeys[] = {"p50", "p95", "p99", "p999"};

double to_ms(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

std::string format_ms(std::uint64_t nanos) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", to_ms(nanos));
    return buffer;
}

double round3(double value) { return static_cast<double>(static_cast<long long>(value * 1000.0 + 0.5)) / 1000.0; }

json endpoint_json(const EndpointStats& stats, double target_rate, double window_s) {
    json latency = json::object();
    for (std::size_t i = 0; i < std::size(kPercentiles); ++i) {
        latency[kPercentileKeys[i]] =
            stats.responses() == 0 ? json(nullptr) : json(round3(to_ms(stats.latency.percentile(kPercentiles[i]))));
    }
    latency["max"] = stats.responses() == 0 ? json(nullptr) : json(round3(to_ms(stats.latency.max())));

    json status = json::object();
    for (const auto& [code, count] : stats.status) status[std::to_string(code)] = count;
    json errors = json::object();
    for (std::size_t i = 0; i < kErrorKindCount; ++i) {
        errors[std::string(error_kind_name(static_cast<ErrorKind>(i)))] = stats.errors[i];
    }
    return {
        {"target_rate", round3(target_rate)},
        {"achieved_rate", round3(window_s > 0 ? static_cast<double>(stats.completed_in_window) / window_s : 0.0)},
        {"scheduled", stats.scheduled},
        {"count", stats.responses()},
        {"latency_ms", std::move(latency)},
        {"status", std::move(status)},
        {"errors", std::move(errors)},
    };
}

std::string format_row(const std::string& name, const EndpointStats& stats, double target_rate, double window_s) {
    auto ms = [&](double percent) {
        return stats.responses() == 0 ? std::string("-") : format_ms(stats.latency.percentile(percent));
    };
    // Appended piecewise: GCC 12 at -O3 misreports `"" + std::string` (-Wrestrict).
    std::string statuses;
    for (const auto& [code, count] : stats.status) {
        if (!statuses.empty()) statuses += ' ';
        statuses.append(std::to_string(code)).append(":").append(std::to_string(count));
    }
    std::string errors;
    for (std::size_t i = 0; i < kErrorKindCount; ++i) {
        if (stats.errors[i] == 0) continue;
        if (!errors.empty()) errors += ' ';
        errors.append(error_kind_name(static_cast<ErrorKind>(i))).append(":").append(std::to_string(stats.errors[i]));
    }
    const double achieved = window_s > 0 ? static_cast<double>(stats.completed_in_window) / window_s : 0.0;
    char line[512];
    const auto max_ms = stats.responses() == 0 ? std::string("-") : format_ms(stats.latency.max());
    std::snprintf(line, sizeof line, "%-18s %9.1f %9.1f %9llu %9s %9s %9s %9s %9s  %-14s %s\n", name.c_str(),
                  target_rate, achieved, static_cast<unsigned long long>(stats.responses()), ms(50).c_str(),
                  ms(95).c_str(), ms(99).c_str(), ms(99.9).c_str(), max_ms.c_str(),
                  statuses.empty() ? "-" : statuses.c_str(), errors.empty() ? "-" : errors.c_str());
    return line;
}

}  // namespace

EndpointStats RunReport::overall() const {
    EndpointStats total;
    for (const auto& endpoint : endpoints) total.merge(endpoint.stats);
    return total;
}

json to_json(const RunReport& report) {
    json endpoints = json::object();
    for (const auto& endpoint : report.endpoints) {
        endpoints[endpoint.name] = endpoint_json(endpoint.stats, endpoint.target_rate, report.duration_s);
    }
    return {
        {"scenario", report.scenario},
        {"target_rate", report.target_rate},
        {"duration_s", report.duration_s},
        {"warmup_s", report.warmup_s},
        {"connections", report.connections},
        {"threads", report.threads},
        {"seed", report.seed},
        {"generator",
         {{"max_queue", report.max_queue},
          {"max_queue_depth", report.max_queue_depth},
          {"scheduler_lag_p99_ms", round3(report.scheduler_lag_p99_ms)},
          {"scheduler_lag_max_ms", round3(report.scheduler_lag_max_ms)}}},
        {"endpoints", std::move(endpoints)},
        {"overall", endpoint_json(report.overall(), report.target_rate, report.duration_s)},
    };
}

std::string format_table(const RunReport& report) {
    // A target rate of 0 is the closed loop: there is no offered rate, only what the server sustains.
    char pace[64];
    if (report.target_rate > 0) {
        std::snprintf(pace, sizeof pace, "%.1f req/s", report.target_rate);
    } else {
        std::snprintf(pace, sizeof pace, "closed loop");
    }
    char title[256];
    std::snprintf(title, sizeof title,
                  "scenario %s: %s for %.1f s (+%.1f s warm-up), %d connections, %d threads, seed %llu\n",
                  report.scenario.c_str(), pace, report.duration_s, report.warmup_s, report.connections,
                  report.threads, static_cast<unsigned long long>(report.seed));
    char header[512];
    std::snprintf(header, sizeof header, "%-18s %9s %9s %9s %9s %9s %9s %9s %9s  %-14s %s\n", "endpoint", "target/s",
                  "achvd/s", "count", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "status", "errors");
    std::string out = title;
    out += header;
    for (const auto& endpoint : report.endpoints) {
        out += format_row(endpoint.name, endpoint.stats, endpoint.target_rate, report.duration_s);
    }
    out += format_row("overall", report.overall(), report.target_rate, report.duration_s);
    char footer[256];
    std::snprintf(footer, sizeof footer, "deepest queue: %zu of %zu; generator lag p99 %.3f ms, max %.3f ms\n",
                  report.max_queue_depth, report.max_queue, report.scheduler_lag_p99_ms, report.scheduler_lag_max_ms);
    out += footer;
    if (report.scheduler_lag_p99_ms > kSchedulerLagWarningMs) {
        out +=
            "warning: the generator itself fell behind; latencies include its own delay (lower --rate or add "
            "--threads)\n";
    }
    return out;
}

bool has_failures(const RunReport& report) {
    const EndpointStats total = report.overall();
    if (total.error_count() > 0) return true;
    for (const auto& [code, count] : total.status) {
        if (count > 0 && (code < 200 || code >= 400)) return true;
    }
    return false;
}

}  // namespace inbox::loadgen
