#include "inbox/api/event_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/router.hpp"
#include "inbox/http/sse_format.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/live_subscription.hpp"
#include "inbox/storage/account_repository.hpp"

namespace inbox::api {
namespace {

struct StreamMetrics {
    observability::Gauge& clients;
    observability::Counter& dropped;
};

// Connected clients, however the stream ends.
struct ClientCount {
    explicit ClientCount(observability::Gauge& gauge) : gauge_(gauge) { gauge_.add(1); }
    ~ClientCount() { gauge_.add(-1); }
    ClientCount(const ClientCount&) = delete;
    ClientCount& operator=(const ClientCount&) = delete;
    observability::Gauge& gauge_;
};

// Parameters by value: they live in the coroutine frame for the whole stream.
boost::asio::awaitable<void> stream_events(std::shared_ptr<http::StreamWriter> writer, services::EventBus& bus,
                                           std::string account_id, EventStreamOptions options,
                                           StreamMetrics metrics) {
    ClientCount connected(metrics.clients);
    std::weak_ptr<http::StreamWriter> weak_writer = writer;
    services::LiveSubscription subscription(bus, account_id, options.max_queued, [weak_writer](bool overflowed) {
        auto target = weak_writer.lock();
        if (!target) return;
        // Cut at once: the stalled client may be blocking a write right now.
        if (overflowed) target->abort();
        else target->wake();
    });
    // EventSource reconnects after `retry` ms when the stream ends (drain, restart).
    bool writing = co_await writer->write("retry: 3000\n" + http::sse_comment("connected"));
    auto next_ping = std::chrono::steady_clock::now() + options.ping_interval;
    while (writing && !writer->closing() && !subscription.overflowed()) {
        std::string batch;
        for (const auto& event : subscription.take()) batch += http::sse_event(event.type, event.data);
        writing = co_await writer->write(std::move(batch));
        auto now = std::chrono::steady_clock::now();
        if (writing && now >= next_ping) {
            writing = co_await writer->write(http::sse_comment("ping"));
            next_ping = now + options.ping_interval;
        }
        if (writing) co_await writer->wait(std::chrono::duration_cast<std::chrono::milliseconds>(next_ping - now));
    }
    // Overflow aborted the connection, whether or not a write was blocked at that moment.
    if (subscription.overflowed()) metrics.dropped.inc();
}

http::Response event_stream_response(services::EventBus& bus, std::string account_id, EventStreamOptions options,
                                     StreamMetrics metrics) {
    http::Response response;
    response.message.result(http::Status::ok);
    response.message.set(http::Field::content_type, "text/event-stream");
    response.message.set(http::Field::cache_control, "no-cache");
    response.message.set("X-Accel-Buffering", "no");  // nginx in front must not buffer the stream
    response.stream = [&bus, account_id = std::move(account_id), options,
                       metrics](std::shared_ptr<http::StreamWriter> writer) {
        return stream_events(std::move(writer), bus, account_id, options, metrics);
    };
    return response;
}

}  // namespace

void register_event_routes(http::Router& router, storage::AccountRepository& accounts, services::EventBus& bus,
                           observability::MetricsRegistry& metrics, EventStreamOptions options) {
    StreamMetrics stream_metrics{
        metrics.gauge("inbox_sse_clients", "Connected Server-Sent Events clients"),
        metrics.counter("inbox_sse_dropped_total", "SSE clients disconnected for falling too far behind")};
    router.add(
        http::Verb::get, "/accounts/{account_id}/events",
        [&accounts, &bus, options, stream_metrics](http::Request& request) -> boost::asio::awaitable<http::Response> {
            auto account_id = path_uuid(request, "account_id", "account");
            if (!co_await accounts.is_member(*request.user_id, account_id)) {
                throw http::ApiError::not_found("account not found");
            }
            co_return event_stream_response(bus, std::move(account_id), options, stream_metrics);
        },
        http::RouteOptions{.token_in_query = true});
}

}  // namespace inbox::api
