#include "inbox/app/application.hpp"

#include "inbox/api/account_routes.hpp"
#include "inbox/api/contact_routes.hpp"
#include "inbox/api/media_routes.hpp"
#include "inbox/api/event_routes.hpp"
#include "inbox/api/inbox_routes.hpp"
#include "inbox/api/live_event_relay.hpp"
#include "inbox/api/operations_routes.hpp"
#include "inbox/api/send_routes.hpp"
#include "inbox/api/template_routes.hpp"
#include "inbox/api/reaction_routes.hpp"
#include "inbox/api/receipt_routes.hpp"
#include "inbox/api/upload_routes.hpp"
#include "inbox/api/webhook_routes.hpp"
#include "inbox/api/web_routes.hpp"
#include "inbox/auth/jwt.hpp"
#include "inbox/cache/make_cache.hpp"
#include "inbox/graph/graph_client.hpp"
#include "inbox/graph/http_client.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/router.hpp"
#include "inbox/http/load_shedder.hpp"
#include "inbox/http/loop_lag_probe.hpp"
#include "inbox/http/server.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/account_directory.hpp"
#include "inbox/services/event_bus.hpp"
#include "inbox/jobs/job_runner.hpp"
#include "inbox/media/media_store.hpp"
#include "inbox/services/contact_service.hpp"
#include "inbox/services/conversation_touches.hpp"
#include "inbox/services/in_flight_sends.hpp"
#include "inbox/services/inbox_service.hpp"
#include "inbox/services/key_waiters.hpp"
#include "inbox/services/media_service.hpp"
#include "inbox/services/reaction_service.hpp"
#include "inbox/services/read_receipts.hpp"
#include "inbox/services/upload_service.hpp"
#include "inbox/services/outbound_throttle.hpp"
#include "inbox/services/pending_send_sweeper.hpp"
#include "inbox/services/retention.hpp"
#include "inbox/services/send_service.hpp"
#include "inbox/services/template_service.hpp"
#include "inbox/services/webhook_ingestor.hpp"
#include "inbox/services/webhook_processor.hpp"
#include "inbox/util/file_threads.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/read_replica.hpp"
#include "inbox/storage/retention_repository.hpp"
#include "inbox/storage/inbound_repository.hpp"
#include "inbox/storage/contact_repository.hpp"
#include "inbox/web/static_site.hpp"
#include "inbox/storage/inbox_repository.hpp"
#include "inbox/storage/job_repository.hpp"
#include "inbox/storage/media_repository.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/migrations.hpp"
#include "inbox/storage/notification_listener.hpp"
#include "inbox/storage/outbound_repository.hpp"
#include "inbox/storage/reaction_repository.hpp"
#include "inbox/storage/receipt_repository.hpp"
#include "inbox/storage/template_repository.hpp"
#include "inbox/storage/webhook_event_repository.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace inbox::app {
namespace asio = boost::asio;

namespace {

unsigned io_thread_count(const Config& config) {
    if (config.io_threads > 0) return config.io_threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

storage::DbPoolOptions pool_options(const Config& config) {
    return {.url = config.database_url,
            .size = config.db_pool_size,
            .acquire_timeout = config.db_acquire_timeout,
            .statement_timeout = config.db_statement_timeout};
}

// The webhook intake commits raw deliveries before Meta's 200. Those commits wait on fsync, not on CPU, so they get
// their own connections: a burst of reads then never delays an acknowledgement, and the main pool can stay as
// small as the CPU work it does wants (docs/ARCHITECTURE.md "Postgres").
storage::DbPoolOptions webhook_pool_options(const Config& config) {
    auto options = pool_options(config);
    options.size = config.webhook_db_pool_size;
    options.metric_prefix = "inbox_webhook_db";
    return options;
}

// The replica's pool: list reads only; a down replica must not hold a read for long (it falls back to the primary).
std::unique_ptr<storage::DbPool> read_pool(const Config& config, observability::MetricsRegistry& metrics) {
    if (!config.database_read_url) return nullptr;
    auto options = pool_options(config);
    options.url = *config.database_read_url;
    if (config.db_read_pool_size > 0) options.size = config.db_read_pool_size;
    options.connect_timeout = std::chrono::seconds(1);
    options.metric_prefix = "inbox_read_db";
    return std::make_unique<storage::DbPool>(std::move(options), metrics);
}

std::unique_ptr<storage::ReadReplica> read_replica(const Config& config, storage::DbPool& primary,
                                                   storage::DbPool* replica, observability::MetricsRegistry& metrics) {
    if (!replica) return nullptr;
    return std::make_unique<storage::ReadReplica>(primary, *replica,
                                                  storage::ReadReplicaOptions{.max_lag = config.replica_max_lag},
                                                  metrics);
}

graph::HttpClientOptions graph_http_options(const Config& config, FileThreads& file_threads) {
    graph::HttpClientOptions options;
    options.file_threads = &file_threads;
    options.ca_file = config.graph_ca_file;
    options.request_timeout = config.graph_timeout;
    return options;
}

graph::GraphClientOptions graph_client_options(const Config& config) {
    graph::GraphClientOptions options;
    options.api_base = config.graph_api_base;
    options.api_version = config.graph_api_version;
    options.media_hosts = config.graph_media_hosts;
    options.request_timeout = config.graph_timeout;
    options.breaker.open_duration = config.graph_breaker_open;
    options.contact_lookup_timeout = std::chrono::milliseconds(1'500);
    return options;
}

services::MediaServiceOptions media_options(const Config& config) {
    services::MediaServiceOptions options;
    options.url_secret = config.media_url_secret;
    options.public_base_url = config.public_base_url;
    return options;
}

services::OutboundThrottleOptions throttle_options(const Config& config) {
    services::OutboundThrottleOptions options;
    options.messages_per_second = config.send_rate_per_number;
    return options;
}

}  // namespace

struct Application::Parts {
    explicit Parts(Config cfg)
        : config(std::move(cfg)),
          io(static_cast<int>(io_thread_count(config))),
          db(pool_options(config), metrics),
          webhook_db(webhook_pool_options(config), metrics),
          read_db(read_pool(config, metrics)),
          replica(read_replica(config, db, read_db.get(), metrics)),
          cache_threads(2),
          cache(cache::make_cache(config.redis_url, cache_threads, metrics)),
          liveness(config.database_url, metrics),
          accounts(db),
          webhook_events(db, &liveness),
          webhook_intake(webhook_db),
          ingestor(io.get_executor(),
                   [this](std::vector<std::string> bodies) { return webhook_intake.insert_batch(std::move(bodies)); },
                   metrics),
          inbound(db),
          account_directory(accounts, *cache),
          processor(io.get_executor(), webhook_events, inbound, account_directory, *cache, metrics),
          graph_http(io.get_executor(), graph_http_options(config, file_threads), metrics),
          graph(graph_http, graph_client_options(config), metrics),
          inbox_repository(db, replica.get()),
          template_repository(db),
          inbox_service(inbox_repository, *cache, [] { return std::chrono::system_clock::now(); },
                        config.page_cache_mb * 1024 * 1024),
          template_service(template_repository, graph),
          outbound(db),
          throttle(throttle_options(config)),
          conversation_touches(io.get_executor(), outbound, metrics),
          send_service(outbound, template_service, graph, *cache, throttle,
                       {in_flight_sends, conversation_touches, [this] { return liveness.key(); }, &upload_rows,
                        &media_store,
                        [this](const storage::SendTarget& target) {
                            read_receipts.start_claimed(io.get_executor(), target);
                        }},
                       metrics),
          pending_sends(io.get_executor(), outbound, in_flight_sends, liveness),
          media_store(config.media_dir, &file_threads),
          retention_rows(db),
          retention(io.get_executor(), retention_rows, &media_store, &file_threads, metrics),
          job_rows(db, &liveness),
          media_rows(db),
          contact_rows(db),
          job_runner(io.get_executor(), job_rows, metrics),
          media_service(media_rows, job_rows, job_runner, graph, *cache, media_store, waiters, metrics,
                        media_options(config)),
          contact_service(contact_rows, graph, *cache, waiters, config.whatsapp_contact_lookup_url),
          upload_rows(db),
          upload_service(upload_rows, accounts, media_store, file_threads, metrics),
          reaction_rows(db),
          reaction_service(reaction_rows, graph),
          receipt_rows(db),
          read_receipts(receipt_rows, graph, metrics),
          live_relay(io.get_executor(), inbox_repository, events_bus),
          live_listener(config.database_url, std::string(storage::kLiveChannel),
                        [this](const std::string& payload) { on_live_notice(payload); },
                        // Notices were missed while the LISTEN connection was down: every stream re-checks.
                        [this] {
                            events_bus.publish({std::string(services::kEveryAccount),
                                                std::string(services::kMembershipChanged), "*"});
                        }),
          site(web::StaticSite::load(optional_path(config.web_dir), optional_path(config.openapi_file))),
          shedder({.max_in_flight = config.max_in_flight, .max_loop_lag = config.max_loop_lag}, metrics),
          dispatcher(router, make_authenticator(config.jwt_secret), metrics, &shedder),
          server(io, dispatcher,
                 http::ServerOptions{.host = config.host,
                                     .port = config.port,
                                     .connection_limits = {.max_total = config.max_connections,
                                                           .max_per_address = config.max_connections_per_ip}}) {
        api::register_operations_routes(
            router, {.postgres_ok = [this] { return db.ping(); },
                     .redis_state = [this] { return cache->health(); },
                     .draining = [this] { return server.draining(); },
                     .metrics = &metrics});
        api::register_account_routes(router, accounts);
        api::register_webhook_routes(router, ingestor,
                                     {.app_secrets = config.whatsapp_app_secrets,
                                      .verify_token = config.whatsapp_verify_token,
                                      .on_committed = [this](std::int64_t id) { processor.enqueue(id); }});
        inbox_service.attach_metrics(metrics);
        api::register_inbox_routes(router, inbox_service);
        api::register_template_routes(router, template_service);
        api::register_send_routes(router, send_service, inbox_service);
        api::register_media_routes(router, media_service);
        api::register_contact_routes(router, contact_service);
        api::register_upload_routes(router, upload_service);
        api::register_reaction_routes(router, reaction_service);
        api::register_receipt_routes(router, read_receipts);
        inbox_service.on_read([this](const std::string& user, const std::string& conversation) {
            read_receipts.start_after_open(io.get_executor(), user, conversation);
        });
        job_runner.handle(storage::kMediaDownloadJob,
                          [this](storage::Job job) { return media_service.run_download(std::move(job)); });
        job_runner.handle(storage::kCheckMediaJob,
                          [this](storage::Job job) { return media_service.run_scan(std::move(job)); });
        api::register_event_routes(router, accounts, events_bus, metrics);
        api::register_web_routes(router, site);
    }

    static std::optional<std::filesystem::path> optional_path(const std::optional<std::string>& value) {
        if (!value) return std::nullopt;
        return std::filesystem::path(*value);
    }

    // A committed change on any instance: live clients, media waiters, and the job runner for new media.
    void on_live_notice(const std::string& payload) {
        if (auto membership = storage::decode_membership_notice(payload)) {
            for (const auto& user : membership->users) {
                events_bus.publish({membership->account_id, std::string(services::kMembershipChanged), user});
            }
            return;
        }
        live_relay.relay(payload);
        auto notice = storage::decode_live_notice(payload);
        if (!notice) return;
        for (const auto& id : notice->updated_message_ids) media_service.media_changed(id);
        if (notice->jobs_queued) job_runner.wake();
    }

    static http::Authenticator make_authenticator(std::string secret) {
        return [secret = std::move(secret)](std::string_view token) -> std::optional<http::Identity> {
            auto result = auth::verify_jwt(secret, token, std::chrono::system_clock::now());
            if (!result) return std::nullopt;
            return http::Identity(result.claims().subject, result.claims().expires_at + auth::kJwtLeeway);
        };
    }

    // Stops accepting, then waits for in-flight requests (bounded by drain_timeout) before stopping the loop.
    void drain(std::chrono::seconds timeout) {
        if (server.draining()) return;
        server.begin_drain();  // before the log line: whoever reads "draining" finds the server draining
        spdlog::info("draining: no new connections, finishing in-flight requests");
        processor.stop();
        if (replica) replica->stop();
        pending_sends.stop();
        retention.stop();
        job_runner.stop();
        conversation_touches.stop();
        live_listener.request_stop();  // joined after the I/O threads, never on one of them
        asio::co_spawn(
            io,
            [this, timeout]() -> asio::awaitable<void> {
                auto deadline = std::chrono::steady_clock::now() + timeout;
                asio::steady_timer tick(io);
                while ((!server.drained() || read_receipts.running() > 0) &&
                       std::chrono::steady_clock::now() < deadline) {
                    tick.expires_after(std::chrono::milliseconds(20));
                    co_await tick.async_wait(asio::use_awaitable);
                }
                if (server.active_connections() > 0) {
                    spdlog::warn("drain timeout: closing {} connections", server.active_connections());
                }
                io.stop();
            },
            asio::detached);
    }

    Config config;
    observability::MetricsRegistry metrics;
    asio::io_context io;
    storage::DbPool db;
    storage::DbPool webhook_db;  // only the intake's commits (webhook_intake)
    std::unique_ptr<storage::DbPool> read_db;        // DATABASE_READ_URL's pool, when set
    std::unique_ptr<storage::ReadReplica> replica;  // routes list reads to read_db (read-your-writes, fall-backs)
    asio::thread_pool cache_threads;  // hiredis is blocking: kept off the database threads
    std::unique_ptr<cache::Cache> cache;
    storage::ClaimerLiveness liveness;  // this instance's claims on shared work are alive while it is
    storage::AccountRepository accounts;
    storage::WebhookEventRepository webhook_events;  // claims and outcomes, on the main pool
    storage::WebhookEventRepository webhook_intake;  // inserts of raw deliveries, on webhook_db
    services::WebhookIngestor ingestor;
    storage::InboundRepository inbound;
    services::AccountDirectory account_directory;
    services::EventBus events_bus;
    services::WebhookProcessor processor;
    FileThreads file_threads;  // writes and fsyncs of media files, off the I/O threads
    graph::HttpClient graph_http;  // the Graph API: HTTPS keep-alive pool, breakers per family
    graph::GraphClient graph;
    storage::InboxRepository inbox_repository;
    storage::TemplateRepository template_repository;
    services::InboxService inbox_service;
    services::TemplateService template_service;
    storage::OutboundRepository outbound;
    services::OutboundThrottle throttle;  // Meta's per-number throughput, applied before Meta refuses
    services::InFlightSends in_flight_sends;            // sends whose outcome this instance has yet to record
    services::ConversationTouches conversation_touches;  // last messages a send could not move at once
    services::SendService send_service;
    services::PendingSendSweeper pending_sends;  // sends a crash left `pending`
    media::MediaStore media_store;  // MEDIA_DIR, content-addressed
    storage::RetentionRepository retention_rows;
    services::Retention retention;  // finished rows and stale temp files past their retention
    storage::JobRepository job_rows;
    storage::MediaRepository media_rows;
    storage::ContactRepository contact_rows;
    jobs::JobRunner job_runner;       // media downloads and check-media scans, shared with other instances
    services::KeyWaiters waiters;     // media waits (wait=S) and contact lookups in flight
    services::MediaService media_service;
    services::ContactService contact_service;
    storage::UploadRepository upload_rows;
    services::UploadService upload_service;  // agents' files for media sends, streamed into media_store
    storage::ReactionRepository reaction_rows;
    services::ReactionService reaction_service;  // our reactions, folded onto the messages they are about
    storage::ReceiptRepository receipt_rows;
    services::ReadReceipts read_receipts;  // the account's read-receipt policy, and typing indicators
    api::LiveEventRelay live_relay;                 // NOTIFY payloads → events on events_bus
    storage::NotificationListener live_listener;  // LISTEN inbox_live, on its own connection and thread
    web::StaticSite site;                         // WEB_DIR and OPENAPI_FILE, read once
    http::Router router;
    http::LoadShedder shedder;  // in-flight cap and event-loop lag → 503 at once
    http::Dispatcher dispatcher;
    http::Server server;
    std::chrono::seconds drain_timeout{10};
};

Application::Application(Config config) : parts_(std::make_unique<Parts>(std::move(config))) {}

Application::~Application() = default;

int Application::serve(const ServeOptions& options) {
    auto& parts = *parts_;
    parts.drain_timeout = options.drain_timeout;
    for (const auto& name : parts.config.generated_secrets) {
        spdlog::warn("INBOX_DEV_MODE: {} was not set; using a throwaway random value for this run only", name);
    }
    if (options.migrate) {
        auto applied = parts.db.run_sync([](storage::DbConnection& db) {
            return storage::apply_migrations(db.raw(), storage::embedded_migrations());
        });
        spdlog::info("migrations: {} applied, schema up to date", applied.size());
    }

    // Installed before the server listens: a SIGTERM right after "listening on" must drain, not kill the process.
    asio::signal_set signals(parts.io, SIGTERM, SIGINT);
    signals.async_wait([&parts](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("received signal {}", signal);
        parts.drain(parts.drain_timeout);
    });

    parts.liveness.start();
    http::start_loop_lag_probe(parts.io, parts.shedder);
    parts.server.start();
    parts.processor.start_sweeper();
    parts.pending_sends.start();
    parts.retention.start();
    parts.job_runner.start();
    parts.live_listener.start();
    if (parts.replica) {
        parts.dispatcher.set_consistency_hooks(
            {.after_write = [&parts](std::string user) { return parts.replica->note_write(std::move(user)); },
             .read_after = [&parts](std::string_view user, std::string_view position) {
                 parts.replica->require(user, position);
             }});
        parts.replica->start(parts.io.get_executor());
        spdlog::info("list reads: read replica at DATABASE_READ_URL (max lag {} ms), primary as fall-back",
                     parts.config.replica_max_lag.count());
    }
    spdlog::info("listening on {}:{} with {} I/O threads, cache={}", parts.config.host, parts.server.port(),
                 io_thread_count(parts.config), parts.cache->backend_name());
    if (options.on_listening) options.on_listening(parts.server.port());

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < io_thread_count(parts.config); ++i) threads.emplace_back([&parts] { parts.io.run(); });
    parts.io.run();
    for (auto& thread : threads) thread.join();
    parts.live_listener.stop();
    parts.liveness.stop();  // what this instance still claims is free for the others at once
    spdlog::info("drained, exiting");
    return 0;
}

void Application::request_stop() {
    asio::post(parts_->io, [parts = parts_.get()] { parts->drain(parts->drain_timeout); });
}

}  // namespace inbox::app
