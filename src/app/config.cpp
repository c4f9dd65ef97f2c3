#include "inbox/app/config.hpp"

#include "inbox/auth/random.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

namespace inbox::app {
namespace {

class Reader {
public:
    explicit Reader(const EnvLookup& env) : env_(env) {}

    std::optional<std::string> optional(const std::string& name) const {
        auto value = env_(name);
        if (value && value->empty()) return std::nullopt;  // VAR= counts as unset
        return value;
    }

    std::string text(const std::string& name, std::string fallback) const { return optional(name).value_or(fallback); }

    long long integer(const std::string& name, long long fallback, long long min, long long max) const {
        auto value = optional(name);
        if (!value) return fallback;
        long long parsed = 0;
        auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
        if (ec != std::errc{} || end != value->data() + value->size() || parsed < min || parsed > max) {
            throw ConfigError(name + ": must be an integer from " + std::to_string(min) + " to " +
                              std::to_string(max) + ", got '" + *value + "'");
        }
        return parsed;
    }

    bool boolean(const std::string& name) const {
        auto value = optional(name);
        if (!value) return false;
        if (*value == "1" || *value == "true" || *value == "yes") return true;
        if (*value == "0" || *value == "false" || *value == "no") return false;
        throw ConfigError(name + ": must be 1/true/yes or 0/false/no, got '" + *value + "'");
    }

private:
    const EnvLookup& env_;
};

std::vector<std::string> split_list(const std::string& value) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto end = std::min(value.find(',', start), value.size());
        auto item = value.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) items.push_back(item);
        start = end + 1;
    }
    return items;
}

void require_http_url(const std::string& name, const std::string& value) {
    auto url = boost::urls::parse_absolute_uri(value);
    if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) {
        throw ConfigError(name + ": must be an absolute http(s) URL, got '" + value + "'");
    }
}

std::string required_secret(const Reader& env, const std::string& name, std::size_t min_length, bool dev_mode,
                            std::vector<std::string>& generated) {
    if (auto value = env.optional(name)) {
        if (value->size() < min_length) {
            throw ConfigError(name + ": must be at least " + std::to_string(min_length) + " characters");
        }
        return *value;
    }
    if (!dev_mode) throw ConfigError(name + ": is required (or set INBOX_DEV_MODE=1 to generate a throwaway one)");
    generated.push_back(name);
    return auth::random_hex(32);
}

}  // namespace

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
    };
}

unsigned default_db_pool_size() { return std::max(4u, 2 * std::thread::hardware_concurrency()); }

Config load_config(const EnvLookup& lookup, bool require_server_secrets) {
    Reader env(lookup);
    Config config;
    config.dev_mode = env.boolean("INBOX_DEV_MODE");

    config.host = env.text("HOST", config.host);
    boost::system::error_code address_error;
    boost::asio::ip::make_address(config.host, address_error);
    if (address_error) throw ConfigError("HOST: must be an IP address to listen on, got '" + config.host + "'");
    config.port = static_cast<std::uint16_t>(env.integer("PORT", config.port, 0, 65535));
    config.io_threads = static_cast<unsigned>(env.integer("IO_THREADS", 0, 0, 256));

    auto database_url = env.optional("DATABASE_URL");
    if (!database_url) throw ConfigError("DATABASE_URL: is required (e.g. postgresql://user@127.0.0.1:5432/inbox)");
    bool is_url = database_url->rfind("postgres://", 0) == 0 || database_url->rfind("postgresql://", 0) == 0;
    if (!is_url && database_url->find('=') == std::string::npos) {
        throw ConfigError("DATABASE_URL: must be a postgresql:// URL or a libpq key=value string");
    }
    config.database_url = *database_url;
    config.database_read_url = env.optional("DATABASE_READ_URL");
    if (config.database_read_url && config.database_read_url->rfind("postgres://", 0) != 0 &&
        config.database_read_url->rfind("postgresql://", 0) != 0 && config.database_read_url->find('=') == std::string::npos) {
        throw ConfigError("DATABASE_READ_URL: must be a postgresql:// URL or a libpq key=value string");
    }
    config.db_read_pool_size = static_cast<unsigned>(env.integer("DB_READ_POOL_SIZE", 0, 0, 256));
    config.replica_max_lag =
        std::chrono::milliseconds(env.integer("REPLICA_MAX_LAG_MS", config.replica_max_lag.count(), 10, 3'600'000));
    config.db_pool_size = static_cast<unsigned>(env.integer("DB_POOL_SIZE", config.db_pool_size, 1, 256));
    config.webhook_db_pool_size =
        static_cast<unsigned>(env.integer("WEBHOOK_DB_POOL_SIZE", config.webhook_db_pool_size, 1, 256));
    config.page_cache_mb = static_cast<std::size_t>(env.integer("PAGE_CACHE_MB", 64, 0, 65'536));
    config.db_acquire_timeout =
        std::chrono::milliseconds(env.integer("DB_ACQUIRE_TIMEOUT_MS", config.db_acquire_timeout.count(), 1, 60'000));
    config.db_statement_timeout = std::chrono::milliseconds(
        env.integer("DB_STATEMENT_TIMEOUT_MS", config.db_statement_timeout.count(), 1, 600'000));

    config.redis_url = env.optional("REDIS_URL");
    if (config.redis_url) {
        auto url = boost::urls::parse_absolute_uri(*config.redis_url);
        if (!url || url->scheme() != "redis" || url->host().empty()) {
            throw ConfigError("REDIS_URL: must look like redis://[:password@]host:port[/db]");
        }
    }

    config.graph_api_base = env.text("GRAPH_API_BASE", config.graph_api_base);
    require_http_url("GRAPH_API_BASE", config.graph_api_base);
    while (!config.graph_api_base.empty() && config.graph_api_base.back() == '/') config.graph_api_base.pop_back();
    config.graph_api_version = env.text("GRAPH_API_VERSION", config.graph_api_version);
    if (!std::regex_match(config.graph_api_version, std::regex(R"(v[0-9]+\.[0-9]+)"))) {
        throw ConfigError("GRAPH_API_VERSION: must look like v21.0, got '" + config.graph_api_version + "'");
    }
    config.graph_ca_file = env.optional("GRAPH_CA_FILE");
    if (config.graph_ca_file && !std::filesystem::is_regular_file(*config.graph_ca_file)) {
        throw ConfigError("GRAPH_CA_FILE: no such file: " + *config.graph_ca_file);
    }
    auto graph_host = std::string(boost::urls::parse_absolute_uri(config.graph_api_base)->host());
    config.graph_media_hosts = split_list(env.text("GRAPH_MEDIA_HOSTS", "lookaside.fbsbx.com," + graph_host));
    config.whatsapp_contact_lookup_url = env.optional("WHATSAPP_CONTACT_LOOKUP_URL");
    if (config.whatsapp_contact_lookup_url) {
        require_http_url("WHATSAPP_CONTACT_LOOKUP_URL", *config.whatsapp_contact_lookup_url);
    }

    config.graph_timeout =
        std::chrono::milliseconds(env.integer("GRAPH_TIMEOUT_MS", config.graph_timeout.count(), 100, 120'000));
    config.graph_breaker_open = std::chrono::milliseconds(
        env.integer("GRAPH_BREAKER_OPEN_MS", config.graph_breaker_open.count(), 100, 600'000));
    config.send_rate_per_number =
        static_cast<unsigned>(env.integer("SEND_RATE_PER_NUMBER", config.send_rate_per_number, 1, 10'000));
    config.max_in_flight = static_cast<std::size_t>(
        env.integer("MAX_IN_FLIGHT", static_cast<long long>(config.max_in_flight), 0, 1'000'000));
    config.max_loop_lag =
        std::chrono::milliseconds(env.integer("MAX_EVENT_LOOP_LAG_MS", config.max_loop_lag.count(), 0, 60'000));
    config.max_connections = static_cast<std::size_t>(
        env.integer("MAX_CONNECTIONS", static_cast<long long>(config.max_connections), 0, 10'000'000));
    config.max_connections_per_ip = static_cast<std::size_t>(
        env.integer("MAX_CONNECTIONS_PER_IP", static_cast<long long>(config.max_connections_per_ip), 0, 10'000'000));

    config.media_dir = env.text("MEDIA_DIR", config.media_dir);
    config.public_base_url = env.optional("PUBLIC_BASE_URL");
    config.web_dir = env.optional("WEB_DIR");
    config.openapi_file = env.optional("OPENAPI_FILE");
    if (config.public_base_url) {
        require_http_url("PUBLIC_BASE_URL", *config.public_base_url);
        while (config.public_base_url->back() == '/') config.public_base_url->pop_back();
    }

    config.log_level = env.text("LOG_LEVEL", config.log_level);
    static const std::vector<std::string> kLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), config.log_level) == kLevels.end()) {
        throw ConfigError("LOG_LEVEL: must be one of trace, debug, info, warn, error, critical, off");
    }
    auto log_format = env.text("LOG_FORMAT", "text");
    if (log_format != "text" && log_format != "json") throw ConfigError("LOG_FORMAT: must be text or json");
    config.log_format = log_format == "json" ? LogFormat::json : LogFormat::text;

    if (require_server_secrets) {
        auto& generated = config.generated_secrets;
        config.jwt_secret = required_secret(env, "JWT_SECRET", 32, config.dev_mode, generated);
        config.media_url_secret = required_secret(env, "MEDIA_URL_SECRET", 32, config.dev_mode, generated);
        config.whatsapp_verify_token = required_secret(env, "WHATSAPP_VERIFY_TOKEN", 8, config.dev_mode, generated);
        config.whatsapp_app_secrets = split_list(required_secret(env, "WHATSAPP_APP_SECRET", 8, config.dev_mode, generated));
        // The length rule holds for each secret of the list, not just the whole value.
        bool usable = !config.whatsapp_app_secrets.empty();
        for (const auto& secret : config.whatsapp_app_secrets) usable = usable && secret.size() >= 8;
        if (!usable) {
            throw ConfigError("WHATSAPP_APP_SECRET: each comma-separated secret must be at least 8 characters");
        }
    }
    return config;
}

}  // namespace inbox::app
