#include "inbox/http/dispatcher.hpp"

#include "inbox/http/api_error.hpp"
#include "inbox/http/load_shedder.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/observability/logging.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/util/errors.hpp"

#include <boost/beast/core/string.hpp>
#include <spdlog/spdlog.h>

namespace inbox::http {

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

Dispatcher::Dispatcher(const Router& router, Authenticator authenticate, observability::MetricsRegistry& metrics,
                       LoadShedder* shedder)
    : router_(router), authenticate_(std::move(authenticate)), shedder_(shedder), metrics_(metrics) {}

Dispatcher::BodyPolicy Dispatcher::body_policy_for(Verb method, std::string_view target) const {
    auto match = router_.match(method, target_path(target));
    if (match.kind != RouteMatch::Kind::found) return {};
    return {match.route->options.body_limit, match.route->options.streamed_body};
}

std::optional<Identity> Dispatcher::bearer_identity(const Request& request, const RouteOptions& options) const {
    auto authorization = request.header(Field::authorization);
    if (!authorization.empty()) {
        constexpr std::string_view kScheme = "Bearer ";
        if (authorization.size() <= kScheme.size() ||
            !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
            return std::nullopt;
        }
        return authenticate_(authorization.substr(kScheme.size()));
    }
    if (options.token_in_query) {
        if (auto token = request.query_param("access_token")) return authenticate_(*token);
    }
    return std::nullopt;
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request& request) const {
    auto match = router_.match(request.method(), target_path(request.target()));
    if (match.kind == RouteMatch::Kind::not_found) {
        co_return error_response(ApiError::not_found("no route for " + std::string(target_path(request.target()))),
                                 request.request_id);
    }
    if (match.kind == RouteMatch::Kind::method_not_allowed) {
        auto response = error_response(
            ApiError{Status::method_not_allowed, "method_not_allowed",
                     std::string(beast_http::to_string(request.method())) + " is not allowed here"},
            request.request_id);
        response.message.set(Field::allow, match.allow);
        co_return response;
    }

    const Route& route = *match.route;
    request.route_template = route.path_template;
    request.path_params = std::move(match.params);
    // Overload: answered at once, before any work (authentication included) is spent on the request.
    std::optional<LoadShedder::Ticket> in_flight;
    if (shedder_ && route.options.sheddable) {
        auto admission = shedder_->admit();
        if (!admission.ticket) {
            co_return error_response(
                ApiError::service_unavailable(admission.reason == LoadShedder::Reason::loop_lag
                                                  ? "the server is overloaded (its event loop is behind), retry shortly"
                                                  : "the server is overloaded (too many requests in flight), retry shortly"),
                request.request_id);
        }
        in_flight.emplace(std::move(*admission.ticket));
    }
    auto response = co_await handle(request, route);
    const bool may_write = request.method() != Verb::get && request.method() != Verb::head;
    // However the handler ended: a failed send has still stored its message.
    if (may_write && request.user_id && consistency_.after_write) {
        std::optional<std::string> position;
        try {
            position = co_await consistency_.after_write(*request.user_id);
        } catch (const std::exception& error) {
            spdlog::debug("request_id={} write position unknown: {}", request.request_id, error.what());
        }
        if (position) response.message.set(kReadAfterHeader, *position);
    }
    co_return response;
}

boost::asio::awaitable<Response> Dispatcher::handle(Request& request, const Route& route) const {
    try {
        if (route.options.requires_auth) {
            auto identity = bearer_identity(request, route.options);
            if (!identity) throw ApiError::unauthorized("missing or invalid bearer token");
            request.user_id = std::move(identity->user_id);
            request.credentials_expire_at = identity->expires_at;
            if (consistency_.read_after) {
                if (auto token = request.message[kReadAfterHeader]; !token.empty()) {
                    consistency_.read_after(*request.user_id, token);
                }
            }
        }
        co_return co_await route.handler(request);
    } catch (const ApiError& error) {
        co_return error_response(error, request.request_id);
    } catch (const UnavailableError& error) {
        spdlog::warn("request_id={} route={} unavailable: {}", request.request_id, route.path_template, error.what());
        co_return error_response(ApiError::service_unavailable("a backing service is unavailable, retry shortly"),
                                 request.request_id);
    } catch (const std::exception& error) {
        spdlog::error("request_id={} route={} internal error: {}", request.request_id, route.path_template,
                      error.what());
    }
    co_return error_response(ApiError{Status::internal_server_error, "internal_error", "internal error"},
                             request.request_id);
}

Dispatcher::RouteInstruments Dispatcher::instruments_for(const std::string& route, std::string_view method,
                                                         unsigned status) const {
    std::string key;
    key.reserve(route.size() + method.size() + 5);
    key.append(route).append(1, ' ').append(method).append(1, ' ').append(std::to_string(status));
    {
        std::shared_lock lock(instruments_mutex_);
        if (auto found = instruments_.find(key); found != instruments_.end()) return found->second;
    }
    auto method_label = std::string(method);
    RouteInstruments instruments{
        &metrics_.counter("inbox_http_requests_total", "HTTP requests by route template, method and status",
                          {{"route", route}, {"method", method_label}, {"status", std::to_string(status)}}),
        &metrics_.histogram("inbox_http_request_duration_seconds", "HTTP request latency by route template and method",
                            {{"route", route}, {"method", method_label}})};
    std::unique_lock lock(instruments_mutex_);
    instruments_.emplace(std::move(key), instruments);
    return instruments;
}

void Dispatcher::record(const Request& request, unsigned status, std::size_t response_bytes,
                        std::chrono::steady_clock::duration elapsed) const {
    auto method_name = beast_http::to_string(request.method());
    std::string_view method(method_name.data(), method_name.size());
    auto instruments = instruments_for(request.route_template, method, status);
    instruments.requests->inc();
    instruments.duration->observe(std::chrono::duration<double>(elapsed).count());
    std::string_view user = request.user_id ? std::string_view(*request.user_id) : std::string_view();
    observability::log_access({request.request_id, method, request.target(), request.route_template, status,
                               response_bytes, elapsed, user});
}

}  // namespace inbox::http
