#pragma once
// /health, /ready and /metrics.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

namespace inbox::http {
class Router;
}
namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox::api {

struct OperationsProbes {
    std::function<boost::asio::awaitable<bool>()> postgres_ok;
    // "ok" | "degraded" | "disabled"
    std::function<boost::asio::awaitable<std::string>()> redis_state;
    std::function<bool()> draining;
    observability::MetricsRegistry* metrics = nullptr;
};

void register_operations_routes(http::Router& router, OperationsProbes probes);

}  // namespace inbox::api
