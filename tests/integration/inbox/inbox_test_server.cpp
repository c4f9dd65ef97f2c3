#include "inbox_test_server.hpp"

#include "inbox/storage/live_notice.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "inbox/api/inbox_routes.hpp"
#include "inbox/api/json_views.hpp"
#include "inbox/api/template_routes.hpp"
#include "inbox/auth/jwt.hpp"
#include "inbox/cache/make_cache.hpp"

namespace inbox::testing {
namespace {

graph::HttpClientOptions graph_http_options() {
    graph::HttpClientOptions options;
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(5);
    return options;
}

graph::GraphClientOptions graph_options(const std::string& base) {
    graph::GraphClientOptions options;
    options.api_base = base;
    options.api_version = "v21.0";
    options.request_timeout = std::chrono::seconds(5);
    return options;
}

std::optional<std::string> authenticate(std::string_view token) {
    auto result = auth::verify_jwt(kJwtSecret, token, std::chrono::system_clock::now());
    if (!result) return std::nullopt;
    return result.claims().subject;
}

}  // namespace

InboxServer::InboxServer(const std::string& database_url, const std::string& graph_base,
                         const std::optional<std::string>& redis_url)
    : pool_({.url = database_url, .size = 4}, metrics_),
      cache_(cache::make_cache(redis_url, cache_threads_, metrics_)),
      inbox_repository_(pool_),
      template_repository_(pool_),
      graph_http_(io_.get_executor(), graph_http_options(), metrics_),
      graph_(graph_http_, graph_options(graph_base), metrics_),
      inbox_(inbox_repository_, *cache_),
      templates_(template_repository_, graph_),
      relay_(io_.get_executor(), inbox_repository_, bus_),
      listener_(database_url, std::string(storage::kLiveChannel),
                [this](const std::string& payload) { relay_.relay(payload); }),
      dispatcher_(router_, authenticate, metrics_),
      server_(io_, dispatcher_, {.host = "127.0.0.1", .port = 0}) {
    api::register_inbox_routes(router_, inbox_);
    api::register_template_routes(router_, templates_);
    server_.start();
    listener_.start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    for (int i = 0; i < 400 && !listener_.listening(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

InboxServer::~InboxServer() {
    listener_.stop();
    io_.stop();
    for (auto& thread : threads_) thread.join();
    cache_threads_.join();
}

std::uint64_t InboxServer::db_statements() {
    return metrics_.counter("inbox_db_statements_total", "SQL statements sent to Postgres (round trips)").value();
}

void InboxServer::cache_erase(std::string key) {
    boost::asio::co_spawn(io_, cache_->erase(std::move(key)), boost::asio::use_future).get();
}

std::string token_for(const std::string& user) {
    return auth::mint_jwt(kJwtSecret, user, std::chrono::hours(1), std::chrono::system_clock::now());
}

RawResponse get(std::uint16_t port, const std::string& target, const std::string& token) {
    return http_request(port, "GET", target, {{"Authorization", "Bearer " + token}});
}

RawResponse post(std::uint16_t port, const std::string& target, const std::string& token) {
    return http_request(port, "POST", target, {{"Authorization", "Bearer " + token}});
}

}  // namespace inbox::testing
