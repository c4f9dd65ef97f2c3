#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "loadgen/stats.hpp"

namespace inbox::loadgen {

struct EndpointReport {
    std::string name;
    double target_rate = 0;
    EndpointStats stats;
};

// Everything a run produced, ready for the text table and the JSON file.
struct RunReport {
    std::string scenario;
    double target_rate = 0;
    double duration_s = 0;
    double warmup_s = 0;
    int connections = 0;
    int threads = 0;
    std::uint64_t seed = 0;
    std::size_t max_queue = 0;
    std::size_t max_queue_depth = 0;  // the deepest the queue got
    double scheduler_lag_p99_ms = 0;  // how late the generator itself released requests
    double scheduler_lag_max_ms = 0;
    std::vector<EndpointReport> endpoints;

    EndpointStats overall() const;
};

// The stable JSON schema: {"scenario","target_rate","duration_s","connections","endpoints":{name:{...}},
// "overall":{...}} with per endpoint "target_rate","achieved_rate","count","latency_ms":{"p50","p95","p99",
// "p999","max"} (null when there was no response),"status":{"200":n},"errors":{kind:n}; plus "generator":
// {"max_queue","max_queue_depth","scheduler_lag_p99_ms","scheduler_lag_max_ms"}.
nlohmann::json to_json(const RunReport& report);

// An aligned table, one row per endpoint and one for the whole mix.
std::string format_table(const RunReport& report);

// True when any measured request got a status outside 2xx/3xx or no response at all.
bool has_failures(const RunReport& report);

// Above this the generator's own delay distorts the latencies: the report says so.
inline constexpr double kSchedulerLagWarningMs = 1.0;

}  // namespace inbox::loadgen
