#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/scenario.hpp"
#include "loadgen/schedule.hpp"
#include "loadgen/stats.hpp"

namespace inbox::loadgen {

struct EngineConfig {
    std::string address;  // a resolved loopback address (see resolve_loopback)
    std::uint16_t port = 80;
    std::string host_header;  // value of Host
    std::string base_path;    // prefix of every scenario path
    double rate = 0;          // requests per second across the mix (open loop)
    bool closed_loop = false; // instead: each connection's next request as soon as it is free
    Nanos duration{0};        // measured window
    Nanos warmup{0};          // sent before the window, not recorded
    Nanos timeout = std::chrono::seconds(10);
    int connections = 1;
    int threads = 1;
    std::size_t max_queue = 100;
    std::uint64_t seed = 0;
    std::uint64_t run_id = 0;
};

struct EngineResult {
    std::vector<EndpointStats> endpoints;  // in scenario order
    std::size_t max_queue_depth = 0;
    // How late the scheduler released each measured request (ns). If this grows, the generator itself
    // could not keep up and the latencies include its own delay.
    LatencyHistogram scheduler_lag;
};

// Runs the open-loop load on one io_context with config.threads threads and returns once every request
// has a result: queued and in-flight requests get up to `timeout` after the window to finish, the rest
// are counted as "unfinished". Blocks the calling thread.
EngineResult run_engine(const Scenario& scenario, const EngineConfig& config);

}  // namespace inbox::loadgen
