#include "inbox/api/operations_routes.hpp"

#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/observability/metrics.hpp"

namespace inbox::api {

void register_operations_routes(http::Router& router, OperationsProbes probes) {
    using http::Request;
    using http::Response;
    using http::Status;
    // Never shed: an overloaded server must still say so to probes and scrapers.
    const http::RouteOptions open{.body_limit = http::kApiBodyLimit, .requires_auth = false, .sheddable = false};

    // Liveness: touches nothing else, so a slow database never gets the process restarted.
    router.add(
        http::Verb::get, "/health",
        [](Request&) -> boost::asio::awaitable<Response> {
            co_return http::json_response(Status::ok, {{"status", "ok"}});
        },
        open);

    router.add(
        http::Verb::get, "/ready",
        [probes](Request&) -> boost::asio::awaitable<Response> {
            bool postgres = co_await probes.postgres_ok();
            auto redis = co_await probes.redis_state();
            bool draining = probes.draining();
            nlohmann::json checks = {{"postgres", postgres ? "ok" : "unavailable"}, {"redis", redis}};
            if (draining) checks["server"] = "draining";
            bool ready = postgres && !draining;  // Redis is optional: reported, never fatal
            co_return http::json_response(ready ? Status::ok : Status::service_unavailable,
                                          {{"status", ready ? "ready" : "unavailable"}, {"checks", checks}});
        },
        open);

    router.add(
        http::Verb::get, "/metrics",
        [metrics = probes.metrics](Request&) -> boost::asio::awaitable<Response> {
            co_return http::text_response(Status::ok, metrics->render_prometheus(), "text/plain; version=0.0.4");
        },
        open);
}

}  // namespace inbox::api
