#pragma once
// Process configuration from the environment, validated once at start-up.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace inbox::app {

// Thrown with a one-line message that starts with the variable's name.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class LogFormat { text, json };

// Twice the cores, at least 4: reads and webhook processing are CPU work on the same machine as Postgres, and more
// concurrent statements than that only queue in the kernel's scheduler instead of our FIFO (docs/PERFORMANCE.md).
unsigned default_db_pool_size();

struct Config {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;
    unsigned io_threads = 0;  // 0 → hardware concurrency
    std::string database_url;
    // DATABASE_READ_URL: a streaming replica for list reads (docs/SCALING.md "Read replica"); absent → primary only.
    std::optional<std::string> database_read_url;
    unsigned db_read_pool_size = 0;                 // DB_READ_POOL_SIZE; 0 → DB_POOL_SIZE
    std::chrono::milliseconds replica_max_lag{1000};  // REPLICA_MAX_LAG_MS: past it, list reads use the primary
    unsigned db_pool_size = default_db_pool_size();
    unsigned webhook_db_pool_size = 4;  // the webhook intake's own connections (its commits wait on fsync, not CPU)
    std::size_t page_cache_mb = 64;     // PAGE_CACHE_MB: rendered list pages held in memory; 0 turns the cache off
    std::chrono::milliseconds db_acquire_timeout{200};
    std::chrono::milliseconds db_statement_timeout{5000};
    std::optional<std::string> redis_url;  // absent → in-memory cache
    std::string jwt_secret;
    std::vector<std::string> whatsapp_app_secrets;
    std::string whatsapp_verify_token;
    std::string graph_api_base = "https://graph.facebook.com";
    std::string graph_api_version = "v21.0";
    std::optional<std::string> graph_ca_file;
    std::vector<std::string> graph_media_hosts;
    std::optional<std::string> whatsapp_contact_lookup_url;
    std::chrono::milliseconds graph_timeout{10'000};  // one Graph API call, connect included
    std::chrono::milliseconds graph_breaker_open{30'000};  // how long an open breaker answers without calling Graph
    unsigned send_rate_per_number = 80;  // messages/s per business number (Meta's default throughput)
    // Overload protection (docs/RELIABILITY.md): 0 disables a limit.
    std::size_t max_in_flight = 1024;                  // requests handled at once; more are answered 503 at once
    std::chrono::milliseconds max_loop_lag{250};       // I/O loop lag past which requests are answered 503
    std::size_t max_connections = 10'000;              // open connections; more are answered 503 and closed
    std::size_t max_connections_per_ip = 1'000;        // from one client address (raise it behind a proxy)
    std::string media_dir = "./media";
    std::string media_url_secret;
    std::optional<std::string> public_base_url;
    std::optional<std::string> web_dir;       // WEB_DIR: the web inbox's files (index.html, app/); unset → no page
    std::optional<std::string> openapi_file;  // OPENAPI_FILE: served at /openapi.yaml; unset → not served
    std::string log_level = "info";
    LogFormat log_format = LogFormat::text;
    bool dev_mode = false;  // INBOX_DEV_MODE=1: generated secrets, unsigned webhooks allowed; logged loudly
    std::vector<std::string> generated_secrets;  // names of the secrets dev mode generated
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

EnvLookup process_environment();

// Reads and validates every variable. `require_server_secrets` is false for commands that never serve
// (migrate, account, member), which need only DATABASE_URL.
Config load_config(const EnvLookup& env, bool require_server_secrets);

}  // namespace inbox::app
