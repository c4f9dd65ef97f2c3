// load_config with an injected environment: required variables, validation, defaults, dev mode.
#include "inbox/app/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

namespace inbox::app {
namespace {

using Vars = std::map<std::string, std::string>;

EnvLookup lookup(const Vars& vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

Vars complete() {
    return {{"DATABASE_URL", "postgresql://inbox@127.0.0.1:5432/inbox"},
            {"JWT_SECRET", std::string(32, 'j')},
            {"MEDIA_URL_SECRET", std::string(32, 'm')},
            {"WHATSAPP_APP_SECRET", "app-secret-1"},
            {"WHATSAPP_VERIFY_TOKEN", "verify-token"}};
}

// The message of the ConfigError load_config throws, or "" when it accepts the environment.
std::string error_of(const Vars& vars, bool server = true) {
    try {
        load_config(lookup(vars), server);
        return "";
    } catch (const ConfigError& error) {
        return error.what();
    }
}

Vars with(Vars vars, const std::string& name, const std::string& value) {
    vars[name] = value;
    return vars;
}

Vars without(Vars vars, const std::string& name) {
    vars.erase(name);
    return vars;
}

TEST(AppConfig, CompleteEnvironmentLoadsWithDefaults) {
    auto config = load_config(lookup(complete()), true);
    EXPECT_EQ(config.host, "0.0.0.0");
    EXPECT_EQ(config.port, 8080);
    EXPECT_EQ(config.io_threads, 0u);
    EXPECT_EQ(config.database_url, "postgresql://inbox@127.0.0.1:5432/inbox");
    EXPECT_EQ(config.db_pool_size, std::max(4u, 2 * std::thread::hardware_concurrency()));
    EXPECT_EQ(config.webhook_db_pool_size, 4u);
    EXPECT_EQ(config.db_acquire_timeout, std::chrono::milliseconds(200));
    EXPECT_EQ(config.db_statement_timeout, std::chrono::milliseconds(5000));
    EXPECT_FALSE(config.redis_url);
    EXPECT_EQ(config.jwt_secret, std::string(32, 'j'));
    EXPECT_EQ(config.media_url_secret, std::string(32, 'm'));
    EXPECT_EQ(config.whatsapp_app_secrets, std::vector<std::string>{"app-secret-1"});
    EXPECT_EQ(config.whatsapp_verify_token, "verify-token");
    EXPECT_EQ(config.graph_api_base, "https://graph.facebook.com");
    EXPECT_EQ(config.graph_api_version, "v21.0");
    EXPECT_FALSE(config.graph_ca_file);
    EXPECT_EQ(config.graph_media_hosts, (std::vector<std::string>{"lookaside.fbsbx.com", "graph.facebook.com"}));
    EXPECT_EQ(config.media_dir, "./media");
    EXPECT_FALSE(config.public_base_url);
    EXPECT_EQ(config.log_level, "info");
    EXPECT_EQ(config.log_format, LogFormat::text);
    EXPECT_FALSE(config.dev_mode);
    EXPECT_TRUE(config.generated_secrets.empty());
}

TEST(AppConfig, ExplicitValuesAreRead) {
    auto vars = complete();
    vars.insert({{"HOST", "127.0.0.1"},
                 {"PORT", "0"},
                 {"IO_THREADS", "4"},
                 {"DB_POOL_SIZE", "3"},
                 {"WEBHOOK_DB_POOL_SIZE", "2"},
                 {"DB_ACQUIRE_TIMEOUT_MS", "50"},
                 {"DB_STATEMENT_TIMEOUT_MS", "900"},
                 {"REDIS_URL", "redis://:pw@127.0.0.1:6379/2"},
                 {"GRAPH_API_BASE", "http://127.0.0.1:9999/"},
                 {"GRAPH_API_VERSION", "v19.0"},
                 {"GRAPH_MEDIA_HOSTS", " a.example , b.example,,"},
                 {"WHATSAPP_CONTACT_LOOKUP_URL", "https://lookup.example/contacts"},
                 {"MEDIA_DIR", "/var/lib/inbox/media"},
                 {"PUBLIC_BASE_URL", "https://inbox.example//"},
                 {"LOG_LEVEL", "debug"},
                 {"LOG_FORMAT", "json"}});
    auto config = load_config(lookup(vars), true);
    EXPECT_EQ(config.host, "127.0.0.1");
    EXPECT_EQ(config.port, 0);
    EXPECT_EQ(config.io_threads, 4u);
    EXPECT_EQ(config.db_pool_size, 3u);
    EXPECT_EQ(config.webhook_db_pool_size, 2u);
    EXPECT_EQ(config.db_acquire_timeout, std::chrono::milliseconds(50));
    EXPECT_EQ(config.db_statement_timeout, std::chrono::milliseconds(900));
    EXPECT_EQ(config.redis_url, "redis://:pw@127.0.0.1:6379/2");
    EXPECT_EQ(config.graph_api_base, "http://127.0.0.1:9999");
    EXPECT_EQ(config.graph_api_version, "v19.0");
    EXPECT_EQ(config.graph_media_hosts, (std::vector<std::string>{"a.example", "b.example"}));
    EXPECT_EQ(config.whatsapp_contact_lookup_url, "https://lookup.example/contacts");
    EXPECT_EQ(config.media_dir, "/var/lib/inbox/media");
    EXPECT_EQ(config.public_base_url, "https://inbox.example");
    EXPECT_EQ(config.log_level, "debug");
    EXPECT_EQ(config.log_format, LogFormat::json);
}

TEST(AppConfig, GraphMediaHostsDefaultIncludesTheGraphHost) {
    auto config = load_config(lookup(with(complete(), "GRAPH_API_BASE", "http://127.0.0.1:8443")), true);
    EXPECT_EQ(config.graph_media_hosts, (std::vector<std::string>{"lookaside.fbsbx.com", "127.0.0.1"}));
}

TEST(AppConfig, EachMissingRequiredVariableIsNamedFirst) {
    for (const std::string name :
         {"DATABASE_URL", "JWT_SECRET", "MEDIA_URL_SECRET", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"}) {
        auto message = error_of(without(complete(), name));
        EXPECT_TRUE(message.starts_with(name + ": ")) << name << ": " << message;
        // VAR= counts as unset.
        message = error_of(with(complete(), name, ""));
        EXPECT_TRUE(message.starts_with(name + ": ")) << name << ": " << message;
    }
}

TEST(AppConfig, CommandsThatNeverServeNeedOnlyTheDatabaseUrl) {
    auto config = load_config(lookup({{"DATABASE_URL", "host=127.0.0.1 dbname=inbox"}}), false);
    EXPECT_EQ(config.database_url, "host=127.0.0.1 dbname=inbox");
    EXPECT_TRUE(config.jwt_secret.empty());
    EXPECT_TRUE(config.generated_secrets.empty());
    EXPECT_TRUE(error_of({}, false).starts_with("DATABASE_URL: "));
}

TEST(AppConfig, InvalidValuesAreRejectedNamingTheVariable) {
    struct Case {
        std::string name;
        std::string value;
    };
    const std::vector<Case> cases{
        {"PORT", "http"},          {"PORT", "65536"},          {"PORT", "-1"},
        {"PORT", "80x"},           {"PORT", " 80"},            {"IO_THREADS", "-1"},
        {"IO_THREADS", "257"},     {"IO_THREADS", "two"},      {"DB_POOL_SIZE", "0"},
        {"DB_POOL_SIZE", "257"},   {"DB_POOL_SIZE", "1.5"},    {"DB_ACQUIRE_TIMEOUT_MS", "0"},
        {"WEBHOOK_DB_POOL_SIZE", "0"},                         {"WEBHOOK_DB_POOL_SIZE", "257"},
        {"DB_STATEMENT_TIMEOUT_MS", "600001"},
        {"LOG_LEVEL", "verbose"},  {"LOG_LEVEL", "INFO"},      {"LOG_FORMAT", "xml"},
        {"REDIS_URL", "http://127.0.0.1:6379"},                {"REDIS_URL", "127.0.0.1:6379"},
        {"REDIS_URL", "redis://"}, {"GRAPH_API_BASE", "ftp://graph.example"},
        {"GRAPH_API_BASE", "graph.facebook.com"},              {"GRAPH_API_VERSION", "21.0"},
        {"GRAPH_API_VERSION", "v21"}, {"GRAPH_API_VERSION", "v21.0-beta"},
        {"HOST", "localhost"},     {"HOST", "256.0.0.1"},      {"HOST", "0.0.0.0:80"},
        {"DATABASE_URL", "inbox"}, {"DATABASE_URL", "mysql://x/y"},
        {"WHATSAPP_CONTACT_LOOKUP_URL", "not a url"},          {"PUBLIC_BASE_URL", "inbox.example"},
        {"GRAPH_CA_FILE", "/nonexistent/ca.pem"},              {"INBOX_DEV_MODE", "maybe"}};
    for (const auto& c : cases) {
        auto message = error_of(with(complete(), c.name, c.value));
        EXPECT_TRUE(message.starts_with(c.name + ": ")) << c.name << "=" << c.value << " → '" << message << "'";
    }
}

TEST(AppConfig, BoundaryValuesAreAccepted) {
    EXPECT_EQ(error_of(with(complete(), "PORT", "65535")), "");
    EXPECT_EQ(error_of(with(complete(), "DB_POOL_SIZE", "1")), "");
    EXPECT_EQ(error_of(with(complete(), "IO_THREADS", "256")), "");
    EXPECT_EQ(error_of(with(complete(), "HOST", "::1")), "");
    EXPECT_EQ(error_of(with(complete(), "DATABASE_URL", "postgres://u@h/db")), "");
    for (const std::string level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        EXPECT_EQ(error_of(with(complete(), "LOG_LEVEL", level)), "") << level;
    }
}

TEST(AppConfig, ShortSecretsAreRejected) {
    EXPECT_TRUE(error_of(with(complete(), "JWT_SECRET", std::string(31, 'j'))).starts_with("JWT_SECRET: "));
    EXPECT_TRUE(error_of(with(complete(), "MEDIA_URL_SECRET", std::string(31, 'm'))).starts_with("MEDIA_URL_SECRET: "));
    EXPECT_TRUE(error_of(with(complete(), "WHATSAPP_VERIFY_TOKEN", "short")).starts_with("WHATSAPP_VERIFY_TOKEN: "));
    EXPECT_EQ(error_of(with(complete(), "JWT_SECRET", std::string(32, 'j'))), "");
    // Dev mode never papers over a secret that is set but too short.
    auto dev = with(complete(), "INBOX_DEV_MODE", "1");
    EXPECT_TRUE(error_of(with(dev, "JWT_SECRET", "short")).starts_with("JWT_SECRET: "));
}

TEST(AppConfig, DevModeGeneratesMissingSecretsAndListsThem) {
    Vars vars{{"DATABASE_URL", "postgresql://127.0.0.1/inbox"}, {"INBOX_DEV_MODE", "true"},
              {"WHATSAPP_VERIFY_TOKEN", "verify-token"}};
    auto config = load_config(lookup(vars), true);
    EXPECT_TRUE(config.dev_mode);
    EXPECT_EQ(config.generated_secrets,
              (std::vector<std::string>{"JWT_SECRET", "MEDIA_URL_SECRET", "WHATSAPP_APP_SECRET"}));
    EXPECT_GE(config.jwt_secret.size(), 32u);
    EXPECT_GE(config.media_url_secret.size(), 32u);
    ASSERT_EQ(config.whatsapp_app_secrets.size(), 1u);
    EXPECT_FALSE(config.whatsapp_app_secrets[0].empty());
    EXPECT_EQ(config.whatsapp_verify_token, "verify-token");
    EXPECT_NE(config.jwt_secret, config.media_url_secret);
    // Fresh values on every start.
    EXPECT_NE(load_config(lookup(vars), true).jwt_secret, config.jwt_secret);
    // Without the server secrets, dev mode generates nothing.
    EXPECT_TRUE(load_config(lookup(vars), false).generated_secrets.empty());
    // INBOX_DEV_MODE=0 is off.
    EXPECT_TRUE(error_of(with(vars, "INBOX_DEV_MODE", "0")).starts_with("JWT_SECRET: "));
}

TEST(AppConfig, WhatsappAppSecretTakesACommaSeparatedList) {
    auto config = load_config(lookup(with(complete(), "WHATSAPP_APP_SECRET", "new-secret-1, old-secret-2 ,")), true);
    EXPECT_EQ(config.whatsapp_app_secrets, (std::vector<std::string>{"new-secret-1", "old-secret-2"}));
}

// Every secret in the list must be usable: a 1-character key makes forging webhook signatures trivial, and a list
// of nothing but commas would leave no secret at all.
TEST(AppConfig, EachWhatsappAppSecretInTheListMustBeLongEnough) {
    for (const std::string value : {"good-secret-1,x", ",,,,,,,,,,", "x, good-secret-2", "  ,  ,  ,  "}) {
        auto message = error_of(with(complete(), "WHATSAPP_APP_SECRET", value));
        EXPECT_TRUE(message.starts_with("WHATSAPP_APP_SECRET: ")) << "'" << value << "' → '" << message << "'";
    }
}

}  // namespace
}  // namespace inbox::app
