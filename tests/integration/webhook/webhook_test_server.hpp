#pragma once
// The webhook routes, ingestor and processor on a real server over a real database, wired as the application
// wires them, for the webhook integration tests.
#include "inbox/api/webhook_routes.hpp"
#include "inbox/cache/memory_cache.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/router.hpp"
#include "inbox/http/server.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/account_directory.hpp"
#include "inbox/services/event_bus.hpp"
#include "inbox/services/webhook_ingestor.hpp"
#include "inbox/services/webhook_processor.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/inbound_repository.hpp"
#include "inbox/storage/webhook_event_repository.hpp"
#include "raw_http.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace inbox::testing {

inline constexpr const char* kSecret = "test-app-secret";
inline constexpr const char* kOtherAppSecret = "second-app-secret";

class WebhookServer {
public:
    explicit WebhookServer(const std::string& database_url, bool process = false);
    ~WebhookServer();

    std::uint16_t port() const { return server_.port(); }
    int committed() const { return committed_; }
    std::string metrics() const { return metrics_.render_prometheus(); }
    services::EventBus& bus() { return bus_; }
    storage::DbPool& pool() { return pool_; }

private:
    observability::MetricsRegistry metrics_;
    boost::asio::io_context io_;
    storage::DbPool pool_;
    storage::ClaimerLiveness liveness_;
    storage::WebhookEventRepository events_;
    storage::AccountRepository accounts_;
    storage::InboundRepository inbound_;
    cache::MemoryCache cache_;
    services::AccountDirectory directory_;
    services::EventBus bus_;
    services::WebhookIngestor ingestor_;
    services::WebhookProcessor processor_;
    http::Router router_;
    http::Dispatcher dispatcher_;
    http::Server server_;
    std::atomic<int> committed_{0};
    std::vector<std::thread> threads_;
};

RawResponse post_webhook(std::uint16_t port, const std::string& body, const std::string& signature);
RawResponse post_signed(std::uint16_t port, const std::string& body);  // signed with the test app secret
RawResponse post_signed_fixture(std::uint16_t port, const std::string& name);
std::string fixture(const std::string& name);

}  // namespace inbox::testing
