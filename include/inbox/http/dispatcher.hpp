#pragma once
// Turns a parsed request into a response: routing, 404/405, bearer authentication, the handler call, and the
// single mapping of exceptions to API.md errors. It also records the per-route metrics and the access log line.
#include "inbox/http/router.hpp"
#include "inbox/http/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace inbox::observability {
class Counter;
class Histogram;
class MetricsRegistry;
}

namespace inbox::http {

class LoadShedder;

// Who a valid bearer token speaks for, and until when it does (exp plus the leeway; none: no end).
struct Identity {
    Identity(std::string user) : user_id(std::move(user)) {}  // NOLINT: a bare user id is an identity without end
    Identity(std::string user, std::chrono::system_clock::time_point valid_until)
        : user_id(std::move(user)), expires_at(valid_until) {}
    std::string user_id;
    std::optional<std::chrono::system_clock::time_point> expires_at;
};

// Answers the identity of a valid bearer token, nullopt otherwise.
using Authenticator = std::function<std::optional<Identity>(std::string_view token)>;

class Dispatcher {
public:
    // `shedder`: overload protection for sheddable routes (none: every request is handled).
    Dispatcher(const Router& router, Authenticator authenticate, observability::MetricsRegistry& metrics,
               LoadShedder* shedder = nullptr);

    // How to read the body of a request whose header has been read: the matched route's limit and whether its
    // handler streams the body itself; the API default (read whole, 1 MiB) for an unmatched request.
    struct BodyPolicy {
        std::size_t limit = kApiBodyLimit;
        bool streamed = false;
    };
    BodyPolicy body_policy_for(Verb method, std::string_view target) const;

    boost::asio::awaitable<Response> dispatch(Request& request) const;

    // Read-your-writes across instances (storage/read_replica.hpp, docs/SCALING.md "Read replica"):
    //   - after_write: awaited with the user of every authenticated request that may have written (any method but
    //     GET and HEAD), once its handler has ended, successfully or not; what it answers goes back to the client
    //     in `X-Inbox-Read-After`;
    //   - read_after: called before the handler with the user and the `X-Inbox-Read-After` a request presents.
    struct ConsistencyHooks {
        std::function<boost::asio::awaitable<std::optional<std::string>>(std::string user_id)> after_write;
        std::function<void(std::string_view user_id, std::string_view token)> read_after;
    };
    void set_consistency_hooks(ConsistencyHooks hooks) { consistency_ = std::move(hooks); }

    // Called by the session once the response is written (or failed): metrics and the access log.
    void record(const Request& request, unsigned status, std::size_t response_bytes,
                std::chrono::steady_clock::duration elapsed) const;

private:
    struct RouteInstruments {
        observability::Counter* requests;
        observability::Histogram* duration;
    };

    std::optional<Identity> bearer_identity(const Request& request, const RouteOptions& options) const;
    // The registry's lookup takes its lock and builds label strings; a request only does that the first time its
    // (route, method, status) is seen.
    RouteInstruments instruments_for(const std::string& route, std::string_view method, unsigned status) const;

    const Router& router_;
    Authenticator authenticate_;
    boost::asio::awaitable<Response> handle(Request& request, const Route& route) const;

    ConsistencyHooks consistency_;
    LoadShedder* shedder_;
    observability::MetricsRegistry& metrics_;
    mutable std::shared_mutex instruments_mutex_;
    mutable std::unordered_map<std::string, RouteInstruments> instruments_;
};

// The header that carries a write's position to the client and back (read-your-writes on any instance).
inline constexpr std::string_view kReadAfterHeader = "X-Inbox-Read-After";

// The path of a request target, without the query string.
std::string_view target_path(std::string_view target);

}  // namespace inbox::http
