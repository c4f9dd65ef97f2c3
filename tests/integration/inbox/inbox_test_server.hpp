#pragma once
// The inbox and template routes, services and repositories on a real server over a real database, wired as the
// application wires them (real JWT authenticator, MemoryCache, GraphClient pointed at `graph_base`, and live
// updates through Postgres NOTIFY → NotificationListener → LiveEventRelay → EventBus).
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "inbox/api/live_event_relay.hpp"
#include "inbox/cache/cache.hpp"
#include "inbox/graph/graph_client.hpp"
#include "inbox/graph/http_client.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/router.hpp"
#include "inbox/http/server.hpp"
#include "inbox/jobs/job_runner.hpp"
#include "inbox/media/media_store.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/contact_service.hpp"
#include "inbox/services/conversation_touches.hpp"
#include "inbox/services/in_flight_sends.hpp"
#include "inbox/services/event_bus.hpp"
#include "inbox/services/inbox_service.hpp"
#include "inbox/services/key_waiters.hpp"
#include "inbox/services/media_service.hpp"
#include "inbox/services/outbound_throttle.hpp"
#include "inbox/services/send_service.hpp"
#include "inbox/services/template_service.hpp"
#include "inbox/services/upload_service.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/storage/upload_repository.hpp"
#include "inbox/util/file_threads.hpp"
#include "inbox/storage/contact_repository.hpp"
#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/inbox_repository.hpp"
#include "inbox/storage/job_repository.hpp"
#include "inbox/storage/media_repository.hpp"
#include "inbox/storage/notification_listener.hpp"
#include "inbox/storage/outbound_repository.hpp"
#include "inbox/services/reaction_service.hpp"
#include "inbox/services/read_receipts.hpp"
#include "inbox/storage/receipt_repository.hpp"
#include "inbox/storage/reaction_repository.hpp"
#include "inbox/storage/read_replica.hpp"
#include "inbox/storage/template_repository.hpp"
#include "raw_http.hpp"

namespace inbox::testing {

inline constexpr const char* kJwtSecret = "inbox-test-jwt-secret-0123456789";
// Nothing listens there: a Graph call from a test that does not expect one fails as unavailable.
inline constexpr const char* kNoGraph = "http://127.0.0.1:9";

struct InboxServerOptions {
    std::string graph_base = kNoGraph;
    std::optional<std::string> redis_url;      // none: the in-memory cache, as in the application
    std::optional<std::string> graph_ca_file;  // a test CA for a fake Graph over TLS
    std::chrono::milliseconds graph_timeout{5'000};
    std::chrono::milliseconds breaker_open{30'000};
    double send_rate_per_number = 80;
    std::vector<std::string> media_hosts = {"127.0.0.1", "localhost"};
    std::optional<std::string> contact_lookup_url;
    std::optional<std::string> replica_url;  // a streaming replica of database_url: list reads go there when allowed
    std::chrono::milliseconds replica_max_lag{1000};
};

inline constexpr const char* kMediaUrlSecret = "inbox-test-media-url-secret-0123456789";

class InboxServer {
public:
    explicit InboxServer(const std::string& database_url, const std::string& graph_base = kNoGraph,
                         const std::optional<std::string>& redis_url = std::nullopt);
    InboxServer(const std::string& database_url, const InboxServerOptions& options);
    ~InboxServer();
    InboxServer(const InboxServer&) = delete;
    InboxServer& operator=(const InboxServer&) = delete;

    std::uint16_t port() const { return server_.port(); }
    // SQL statements sent so far (the /metrics round-trip counter).
    std::uint64_t db_statements();
    // Live events as the SSE route sees them; the listener is LISTENing once the constructor returns.
    services::EventBus& bus() { return bus_; }
    // Erases a cache entry, as an expiry would.
    void cache_erase(std::string key);
    graph::GraphClient& graph() { return graph_; }
    // One pass of the pending-send sweeper, resolving lost sends pending for longer than `older_than`.
    std::size_t sweep_pending_sends(std::chrono::seconds older_than);
    // This instance's liveness key: what its claims (and its pending sends) record in `claimed_by`.
    std::int32_t claimer_key() const noexcept { return liveness_.key(); }
    // The read replica's router (replica_url set), to probe at once instead of waiting for the next probe.
    storage::ReadReplica* replica() { return replica_.get(); }
    void probe_replica();
    // A counter's value by name and labels (in the order the code registers them), from /metrics' registry.
    std::uint64_t counter(const std::string& name, const observability::Labels& labels = {});
    const std::string& media_dir() const { return media_dir_; }

private:
    observability::MetricsRegistry metrics_;
    boost::asio::io_context io_;
    storage::DbPool pool_;
    // The job runner's own claims and outcomes: its polls must not count as the round trips of the requests that
    // tests measure (db_statements) on pool_.
    storage::DbPool background_pool_;
    std::unique_ptr<storage::DbPool> replica_pool_;
    std::unique_ptr<storage::ReadReplica> replica_;
    boost::asio::thread_pool cache_threads_{2};
    std::unique_ptr<cache::Cache> cache_;
    services::EventBus bus_;
    storage::InboxRepository inbox_repository_;
    storage::TemplateRepository template_repository_;
    graph::HttpClient graph_http_;
    graph::GraphClient graph_;
    services::InboxService inbox_;
    services::TemplateService templates_;
    storage::OutboundRepository outbound_;
    services::OutboundThrottle throttle_;
    services::InFlightSends in_flight_;
    services::ConversationTouches touches_;
    services::SendService sends_;
    std::string media_dir_;
    media::MediaStore media_store_;
    storage::ClaimerLiveness liveness_;
    storage::JobRepository job_rows_;      // the requests' (queueing jobs)
    storage::JobRepository runner_jobs_;   // the runner's, on background_pool_
    storage::MediaRepository media_rows_;
    storage::ContactRepository contact_rows_;
    jobs::JobRunner job_runner_;
    services::KeyWaiters waiters_;
    services::MediaService media_;
    services::ContactService contacts_;
    storage::AccountRepository accounts_;
    storage::UploadRepository upload_rows_;
    FileThreads file_threads_;
    services::UploadService uploads_;
    storage::ReactionRepository reaction_rows_;
    services::ReactionService reactions_;
    storage::ReceiptRepository receipt_rows_;
    services::ReadReceipts receipts_;
    api::LiveEventRelay relay_;
    storage::NotificationListener listener_;
    http::Router router_;
    http::Dispatcher dispatcher_;
    http::Server server_;
    std::vector<std::thread> threads_;
};

// A fresh HS256 token for `user`, valid for an hour.
std::string token_for(const std::string& user);

RawResponse get(std::uint16_t port, const std::string& target, const std::string& token);
RawResponse post(std::uint16_t port, const std::string& target, const std::string& token);
// A JSON POST, with an Idempotency-Key when one is given.
RawResponse post_json(std::uint16_t port, const std::string& target, const std::string& token, const std::string& body,
                      const std::optional<std::string>& idempotency_key = std::nullopt);

}  // namespace inbox::testing
