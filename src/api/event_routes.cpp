#include "inbox/api/event_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/router.hpp"
#include "inbox/http/sse_format.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/live_subscription.hpp"
#include "inbox/storage/account_repository.hpp"

#include <algorithm>
#include <optional>

namespace inbox::api {
namespace {

struct StreamMetrics {
    observability::Gauge& clients;
    observability::Counter& dropped;
    observability::Counter& ended;
};

// While a membership check cannot be answered, how soon it is tried again.
constexpr std::chrono::milliseconds kMembershipRetry{1000};

// Connected clients, however the stream ends.
struct ClientCount {
    explicit ClientCount(observability::Gauge& gauge) : gauge_(gauge) { gauge_.add(1); }
    ~ClientCount() { gauge_.add(-1); }
    ClientCount(const ClientCount&) = delete;
    ClientCount& operator=(const ClientCount&) = delete;
    observability::Gauge& gauge_;
};

// Why a stream ends on the server's initiative (API.md Part 2 "Events").
std::string session_ended(std::string_view reason) {
    return http::sse_event("session.ended", std::string(R"({"reason":")") + std::string(reason) + "\"}");
}

// The stream's authority: the token's end, and a membership that may be withdrawn while the stream is open (every
// instance hears of a removal through the live channel: kMembershipChanged events).
struct StreamAuthority {
    std::string user_id;
    std::optional<std::chrono::system_clock::time_point> expires_at;
};

// Parameters by value: they live in the coroutine frame for the whole stream.
boost::asio::awaitable<void> stream_events(std::shared_ptr<http::StreamWriter> writer, services::EventBus& bus,
                                           storage::AccountRepository& accounts, std::string account_id,
                                           StreamAuthority authority, EventStreamOptions options,
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
    bool check_membership = false;  // a removal was heard; kept set while Postgres cannot answer
    while (writing && !writer->closing() && !subscription.overflowed()) {
        std::string batch;
        for (const auto& event : subscription.take()) {
            if (event.type == services::kMembershipChanged) {
                check_membership = check_membership || event.data == authority.user_id || event.data == "*";
                continue;
            }
            batch += http::sse_event(event.type, event.data);
        }
        writing = co_await writer->write(std::move(batch));
        if (!writing) break;
        if (authority.expires_at && std::chrono::system_clock::now() >= *authority.expires_at) {
            co_await writer->write(session_ended("expired"));
            metrics.ended.inc();
            break;
        }
        if (check_membership) {
            try {
                const bool member = co_await accounts.is_member(authority.user_id, account_id);
                check_membership = false;
                if (!member) {
                    co_await writer->write(session_ended("removed"));
                    metrics.ended.inc();
                    break;
                }
            } catch (const std::exception&) {
                // Unanswered (database away): asked again at the next wake, the stream goes on meanwhile.
            }
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= next_ping) {
            writing = co_await writer->write(http::sse_comment("ping"));
            next_ping = now + options.ping_interval;
        }
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_ping - now);
        if (check_membership) wait = std::min(wait, kMembershipRetry);
        if (authority.expires_at) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*authority.expires_at -
                                                                                    std::chrono::system_clock::now());
            wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1));
        }
        if (writing) co_await writer->wait(wait);
    }
    // Overflow aborted the connection, whether or not a write was blocked at that moment.
    if (subscription.overflowed()) metrics.dropped.inc();
}

http::Response event_stream_response(services::EventBus& bus, storage::AccountRepository& accounts,
                                     std::string account_id, StreamAuthority authority, EventStreamOptions options,
                                     StreamMetrics metrics) {
    http::Response response;
    response.message.result(http::Status::ok);
    response.message.set(http::Field::content_type, "text/event-stream");
    response.message.set(http::Field::cache_control, "no-cache");
    response.message.set("X-Accel-Buffering", "no");  // nginx in front must not buffer the stream
    response.stream = [&bus, &accounts, account_id = std::move(account_id), authority = std::move(authority), options,
                       metrics](std::shared_ptr<http::StreamWriter> writer) {
        return stream_events(std::move(writer), bus, accounts, account_id, authority, options, metrics);
    };
    return response;
}

}  // namespace

void register_event_routes(http::Router& router, storage::AccountRepository& accounts, services::EventBus& bus,
                           observability::MetricsRegistry& metrics, EventStreamOptions options) {
    StreamMetrics stream_metrics{
        metrics.gauge("inbox_sse_clients", "Connected Server-Sent Events clients"),
        metrics.counter("inbox_sse_dropped_total", "SSE clients disconnected for falling too far behind"),
        metrics.counter("inbox_sse_sessions_ended_total",
                        "SSE streams ended by the server because their token expired or their membership was removed")};
    router.add(
        http::Verb::get, "/accounts/{account_id}/events",
        [&accounts, &bus, options, stream_metrics](http::Request& request) -> boost::asio::awaitable<http::Response> {
            auto account_id = path_uuid(request, "account_id", "account");
            if (!co_await accounts.is_member(*request.user_id, account_id)) {
                throw http::ApiError::not_found("account not found");
            }
            StreamAuthority authority{*request.user_id, request.credentials_expire_at};
            co_return event_stream_response(bus, accounts, std::move(account_id), std::move(authority), options,
                                            stream_metrics);
        },
        http::RouteOptions{.token_in_query = true});
}

}  // namespace inbox::api
