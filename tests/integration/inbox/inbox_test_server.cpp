#include "inbox_test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>

#include "inbox/api/contact_routes.hpp"
#include "inbox/api/inbox_routes.hpp"
#include "inbox/api/json_views.hpp"
#include "inbox/api/media_routes.hpp"
#include "inbox/api/send_routes.hpp"
#include "inbox/api/template_routes.hpp"
#include "inbox/api/account_routes.hpp"
#include "inbox/api/reaction_routes.hpp"
#include "inbox/api/receipt_routes.hpp"
#include "inbox/api/upload_routes.hpp"
#include "inbox/auth/jwt.hpp"
#include "inbox/cache/make_cache.hpp"
#include "inbox/services/pending_send_sweeper.hpp"
#include "inbox/storage/live_notice.hpp"

namespace inbox::testing {
namespace {

// The replica server's URL with the primary's database name (each test has its own database).
std::string same_database(const std::string& primary_url, const std::string& replica_server_url) {
    return replica_server_url.substr(0, replica_server_url.rfind('/')) + primary_url.substr(primary_url.rfind('/'));
}

graph::HttpClientOptions graph_http_options(const InboxServerOptions& server) {
    graph::HttpClientOptions options;
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = server.graph_timeout;
    options.ca_file = server.graph_ca_file;
    return options;
}

graph::GraphClientOptions graph_options(const InboxServerOptions& server) {
    graph::GraphClientOptions options;
    options.api_base = server.graph_base;
    options.api_version = "v21.0";
    options.request_timeout = server.graph_timeout;
    options.breaker.open_duration = server.breaker_open;
    options.media_hosts = server.media_hosts;
    options.contact_lookup_timeout = std::chrono::milliseconds(1'500);
    return options;
}

std::string fresh_media_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "inbox-test-media.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

services::MediaServiceOptions media_options() {
    services::MediaServiceOptions options;
    options.url_secret = kMediaUrlSecret;
    return options;
}

InboxServerOptions options_of(const std::string& graph_base, const std::optional<std::string>& redis_url) {
    InboxServerOptions options;
    options.graph_base = graph_base;
    options.redis_url = redis_url;
    return options;
}

std::optional<http::Identity> authenticate(std::string_view token) {
    auto result = auth::verify_jwt(kJwtSecret, token, std::chrono::system_clock::now());
    if (!result) return std::nullopt;
    return http::Identity(result.claims().subject, result.claims().expires_at + auth::kJwtLeeway);
}

}  // namespace

InboxServer::InboxServer(const std::string& database_url, const std::string& graph_base,
                         const std::optional<std::string>& redis_url)
    : InboxServer(database_url, options_of(graph_base, redis_url)) {}

InboxServer::InboxServer(const std::string& database_url, const InboxServerOptions& options)
    : pool_({.url = database_url, .size = 4}, metrics_),
      background_pool_({.url = database_url, .size = 2, .metric_prefix = "inbox_test_background_db"}, metrics_),
      replica_pool_(options.replica_url ? std::make_unique<storage::DbPool>(
                                              storage::DbPoolOptions{.url = same_database(database_url,
                                                                                          *options.replica_url),
                                                                     .size = 2,
                                                                     .connect_timeout = std::chrono::seconds(1),
                                                                     .metric_prefix = "inbox_read_db"},
                                              metrics_)
                                        : nullptr),
      replica_(replica_pool_ ? std::make_unique<storage::ReadReplica>(
                                   pool_, *replica_pool_,
                                   storage::ReadReplicaOptions{.max_lag = options.replica_max_lag,
                                                               .probe_interval = std::chrono::milliseconds(50)},
                                   metrics_)
                             : nullptr),
      cache_(cache::make_cache(options.redis_url, cache_threads_, metrics_)),
      inbox_repository_(pool_, replica_.get()),
      template_repository_(pool_),
      graph_http_(io_.get_executor(), graph_http_options(options), metrics_),
      graph_(graph_http_, graph_options(options), metrics_),
      inbox_(inbox_repository_, *cache_),
      templates_(template_repository_, graph_),
      outbound_(pool_),
      throttle_({.messages_per_second = options.send_rate_per_number}),
      touches_(io_.get_executor(), outbound_, metrics_),
      sends_(outbound_, templates_, graph_, *cache_, throttle_,
             {in_flight_, touches_, [this] { return liveness_.key(); }, &upload_rows_, &media_store_,
              [this](const storage::SendTarget& target) { receipts_.start_claimed(io_.get_executor(), target); }},
             metrics_),
      media_dir_(fresh_media_dir()),
      media_store_(media_dir_),
      liveness_(database_url, metrics_),
      job_rows_(pool_, &liveness_),
      runner_jobs_(background_pool_, &liveness_),
      media_rows_(pool_),
      contact_rows_(pool_),
      job_runner_(io_.get_executor(), runner_jobs_, metrics_, {.poll_interval = std::chrono::milliseconds(200)}),
      media_(media_rows_, job_rows_, job_runner_, graph_, *cache_, media_store_, waiters_, metrics_, media_options()),
      contacts_(contact_rows_, graph_, *cache_, waiters_, options.contact_lookup_url),
      accounts_(pool_),
      upload_rows_(pool_),
      uploads_(upload_rows_, accounts_, media_store_, file_threads_, metrics_),
      reaction_rows_(pool_),
      reactions_(reaction_rows_, graph_),
      receipt_rows_(pool_),
      receipts_(receipt_rows_, graph_, metrics_),
      relay_(io_.get_executor(), inbox_repository_, bus_),
      listener_(database_url, std::string(storage::kLiveChannel),
                [this](const std::string& payload) {
                    relay_.relay(payload);
                    if (auto notice = storage::decode_live_notice(payload)) {
                        for (const auto& id : notice->updated_message_ids) media_.media_changed(id);
                    }
                }),
      dispatcher_(router_, authenticate, metrics_),
      server_(io_, dispatcher_, {.host = "127.0.0.1", .port = 0}) {
    inbox_.attach_metrics(metrics_);
    api::register_account_routes(router_, accounts_);
    api::register_inbox_routes(router_, inbox_);
    api::register_template_routes(router_, templates_);
    api::register_send_routes(router_, sends_, inbox_);
    api::register_media_routes(router_, media_);
    api::register_contact_routes(router_, contacts_);
    api::register_upload_routes(router_, uploads_);
    api::register_reaction_routes(router_, reactions_);
    api::register_receipt_routes(router_, receipts_);
    inbox_.on_read([this](const std::string& user, const std::string& conversation) {
        receipts_.start_after_open(io_.get_executor(), user, conversation);
    });
    job_runner_.handle(storage::kMediaDownloadJob,
                       [this](storage::Job job) { return media_.run_download(std::move(job)); });
    job_runner_.handle(storage::kCheckMediaJob, [this](storage::Job job) { return media_.run_scan(std::move(job)); });
    liveness_.start();
    for (int i = 0; i < 400 && !liveness_.held(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (replica_) {
        dispatcher_.set_consistency_hooks(
            {.after_write = [this](std::string user) { return replica_->note_write(std::move(user)); },
             .read_after = [this](std::string_view user, std::string_view position) { replica_->require(user, position); }});
        replica_->start(io_.get_executor());
    }
    server_.start();
    job_runner_.start();
    listener_.start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    for (int i = 0; i < 400 && !listener_.listening(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

InboxServer::~InboxServer() {
    if (replica_) replica_->stop();
    touches_.stop();
    job_runner_.stop();
    listener_.stop();
    // Background read receipts hold references into this server: let them end first (they are bounded by the
    // Graph client's timeouts).
    for (int i = 0; i < 1000 && receipts_.running() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    io_.stop();
    for (auto& thread : threads_) thread.join();
    cache_threads_.join();
    std::error_code ignored;
    std::filesystem::remove_all(media_dir_, ignored);
}

std::uint64_t InboxServer::counter(const std::string& name, const observability::Labels& labels) {
    return metrics_.counter(name, "", labels).value();
}

std::uint64_t InboxServer::db_statements() {
    return metrics_.counter("inbox_db_statements_total", "SQL statements sent to Postgres (round trips)").value();
}

std::size_t InboxServer::sweep_pending_sends(std::chrono::seconds older_than) {
    services::PendingSendSweeper sweeper(io_.get_executor(), outbound_, in_flight_, liveness_,
                                         {.older_than = older_than});
    return boost::asio::co_spawn(io_, sweeper.sweep_once(), boost::asio::use_future).get();
}

void InboxServer::probe_replica() {
    boost::asio::co_spawn(io_, replica_->probe_once(), boost::asio::use_future).get();
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

namespace inbox::testing {

RawResponse post_json(std::uint16_t port, const std::string& target, const std::string& token, const std::string& body,
                      const std::optional<std::string>& idempotency_key) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token},
                                                                {"Content-Type", "application/json"}};
    if (idempotency_key) headers.emplace_back("Idempotency-Key", *idempotency_key);
    return http_request(port, "POST", target, headers, body);
}

}  // namespace inbox::testing
