// `whatsapp-inbox serve` as a child process: health, readiness, metrics, auth, draining on signals, and a
// Postgres that is not there.
#include "app_fixture.hpp"

#include <signal.h>

#include <thread>

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;

class AppServe : public ::testing::Test {
protected:
    TestDatabase db_;
};

TEST_F(AppServe, HealthReadyAndMetricsWithoutRedis) {
    ServerProcess server(server_env(db_.url()));
    ASSERT_TRUE(server.started()) << server.output();

    auto health = http_get(server.port(), "/health");
    ASSERT_EQ(health.status, 200) << health.describe();
    EXPECT_EQ(health.json(), nlohmann::json({{"status", "ok"}}));
    EXPECT_TRUE(health.header("content-type").starts_with("application/json")) << health.header("content-type");

    auto ready = http_get(server.port(), "/ready");
    ASSERT_EQ(ready.status, 200) << ready.describe();
    EXPECT_EQ(ready.json()["status"], "ready");
    EXPECT_EQ(ready.json()["checks"]["postgres"], "ok");
    EXPECT_EQ(ready.json()["checks"]["redis"], "disabled");

    auto metrics = http_get(server.port(), "/metrics");
    ASSERT_EQ(metrics.status, 200) << metrics.describe();
    EXPECT_TRUE(metrics.header("content-type").starts_with("text/plain")) << metrics.header("content-type");
    EXPECT_NE(metrics.body.find("inbox_http_requests_total"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("inbox_db_pool_size 2"), std::string::npos) << metrics.body;
    // The webhook intake commits on its own connections (default 4), so reads never delay Meta's 200.
    EXPECT_NE(metrics.body.find("inbox_webhook_db_pool_size 4"), std::string::npos) << metrics.body;
    // Route templates, not raw paths.
    EXPECT_NE(metrics.body.find("/health"), std::string::npos);

    for (const auto* response : {&health, &ready, &metrics}) {
        EXPECT_FALSE(response->header("x-request-id").empty()) << response->describe();
    }
    // A sane caller id is echoed back.
    auto echoed = http_request(server.port(), "GET", "/health", "", {{"X-Request-Id", "app-test.req-1"}});
    EXPECT_EQ(echoed.header("x-request-id"), "app-test.req-1");

    auto stopped = server.stop(SIGTERM);
    EXPECT_TRUE(stopped.exited) << stopped.describe();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.describe();
}

TEST_F(AppServe, ReadyReportsRedisOkWhenConfigured) {
    auto env = server_env(db_.url());
    env["REDIS_URL"] = required_env("TEST_REDIS_URL");
    ServerProcess server(env);
    ASSERT_TRUE(server.started()) << server.output();
    auto ready = http_get(server.port(), "/ready");
    ASSERT_EQ(ready.status, 200) << ready.describe();
    EXPECT_EQ(ready.json()["checks"]["postgres"], "ok");
    EXPECT_EQ(ready.json()["checks"]["redis"], "ok") << ready.body;
}

TEST_F(AppServe, ReadyReportsRedisDegradedButStaysReady) {
    ClosedPort closed;
    auto env = server_env(db_.url());
    env["REDIS_URL"] = "redis://127.0.0.1:" + std::to_string(closed.port());
    ServerProcess server(env);
    ASSERT_TRUE(server.started()) << server.output();
    auto ready = http_get(server.port(), "/ready");
    ASSERT_EQ(ready.status, 200) << ready.describe();
    EXPECT_EQ(ready.json()["status"], "ready");
    EXPECT_EQ(ready.json()["checks"]["postgres"], "ok");
    EXPECT_EQ(ready.json()["checks"]["redis"], "degraded") << ready.body;
    EXPECT_EQ(http_get(server.port(), "/health").status, 200);
}

TEST_F(AppServe, AccountsListsOnlyTheCallersAccountsAndNeedsAToken) {
    auto acme = add_account(db_.url(), "Acme", "1001");
    auto beta = add_account(db_.url(), "Beta", "1002");
    ASSERT_EQ(cli({"member", "add", "--account", acme, "--user", "user-a"}, {{"DATABASE_URL", db_.url()}}).exit_code, 0);
    ASSERT_EQ(cli({"member", "add", "--account", beta, "--user", "user-b"}, {{"DATABASE_URL", db_.url()}}).exit_code, 0);

    ServerProcess server(server_env(db_.url()));
    ASSERT_TRUE(server.started()) << server.output();

    auto mine = http_get(server.port(), "/accounts", token_for("user-a"));
    ASSERT_EQ(mine.status, 200) << mine.describe();
    auto data = mine.json()["data"];
    ASSERT_EQ(data.size(), 1u) << mine.body;
    EXPECT_EQ(data[0]["id"], acme);
    EXPECT_EQ(data[0]["name"], "Acme");
    EXPECT_EQ(data[0]["phone_number_id"], "1001");
    EXPECT_EQ(mine.body.find("secret-token"), std::string::npos) << mine.body;
    EXPECT_FALSE(mine.header("x-request-id").empty());

    auto stranger = http_get(server.port(), "/accounts", token_for("user-nobody"));
    ASSERT_EQ(stranger.status, 200) << stranger.describe();
    EXPECT_EQ(stranger.json()["data"], nlohmann::json::array());

    auto anonymous = http_get(server.port(), "/accounts");
    EXPECT_EQ(anonymous.status, 401) << anonymous.describe();
    EXPECT_EQ(anonymous.json()["error"]["code"], "unauthorized");
    EXPECT_TRUE(anonymous.header("www-authenticate").starts_with("Bearer")) << anonymous.header("www-authenticate");
    EXPECT_FALSE(anonymous.header("x-request-id").empty());
    EXPECT_EQ(anonymous.json()["error"]["request_id"], anonymous.header("x-request-id"));

    // Signed with another secret.
    auto forged = cli({"token", "--user", "user-a"}, {{"JWT_SECRET", "another-secret-another-secret-another-secret"}});
    auto rejected = http_get(server.port(), "/accounts", forged.out.substr(0, forged.out.find('\n')));
    EXPECT_EQ(rejected.status, 401) << rejected.describe();

    auto unknown = http_get(server.port(), "/no-such-route", token_for("user-a"));
    EXPECT_EQ(unknown.status, 404) << unknown.describe();
    EXPECT_FALSE(unknown.header("x-request-id").empty());

    auto metrics = http_get(server.port(), "/metrics");
    EXPECT_NE(metrics.body.find("/accounts"), std::string::npos);
    EXPECT_EQ(metrics.body.find("/no-such-route"), std::string::npos) << "raw paths must not become labels";
}

// check-media's debounce is shared by every instance through Redis: two server processes, one scan.
TEST_F(AppServe, CheckMediaIsDebouncedAcrossTwoServerProcessesSharingRedis) {
    auto account = add_account(db_.url(), "Acme", "1003");
    ASSERT_EQ(cli({"member", "add", "--account", account, "--user", "user-a"}, {{"DATABASE_URL", db_.url()}}).exit_code,
              0);
    auto contact = db_.query_value("INSERT INTO contacts (account_id, wa_id) VALUES ('" + account +
                                   "', '16505550001') RETURNING id");
    auto conversation = db_.query_value("INSERT INTO conversations (account_id, contact_id) VALUES ('" + account +
                                        "', '" + contact + "') RETURNING id");
    auto env = server_env(db_.url());
    env["REDIS_URL"] = required_env("TEST_REDIS_URL");
    ServerProcess first(env);
    ServerProcess second(env);
    ASSERT_TRUE(first.started() && second.started()) << first.output() << second.output();

    const auto token = token_for("user-a");
    const auto target = "/messages/check-media/" + conversation;
    auto started = http_request(first.port(), "POST", target, token);
    ASSERT_EQ(started.status, 202) << started.describe();
    EXPECT_EQ(started.json()["status"], "started");
    for (auto* server : {&second, &first}) {
        auto skipped = http_request(server->port(), "POST", target, token);
        ASSERT_EQ(skipped.status, 202) << skipped.describe();
        EXPECT_EQ(skipped.json()["status"], "skipped");
        EXPECT_EQ(skipped.json()["reason"], "recently_checked");
    }
    // One check_media job for the conversation, whichever instance ran it.
    EXPECT_EQ(db_.query_value("SELECT count(*) FROM jobs WHERE kind = 'check_media'"), "1");
}

TEST_F(AppServe, SigtermDrainsAnInFlightRequestAndExits0) {
    ServerProcess server(server_env(db_.url()));
    ASSERT_TRUE(server.started()) << server.output();

    RawConnection in_flight;
    ASSERT_TRUE(in_flight.connect(server.port())) << in_flight.last_error();
    ASSERT_TRUE(in_flight.send("POST /accounts HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                               "Content-Length: 20\r\n\r\n{\"name\":"));
    std::this_thread::sleep_for(300ms);  // the server has read the headers: the request is in flight

    auto signalled = std::chrono::steady_clock::now();
    server.process().signal(SIGTERM);
    ASSERT_TRUE(server.process().wait_for_stdout_line(
        [](const std::string& line) { return line.find("draining") != std::string::npos; }, 5s))
        << server.output();

    // Draining: no longer ready (503) or no longer accepting at all.
    auto ready = http_get(server.port(), "/ready");
    if (ready.error.empty()) {
        EXPECT_EQ(ready.status, 503) << ready.describe();
    } else {
        // Refused once the acceptor is closed; reset when the kernel had queued the connection just before.
        EXPECT_TRUE(ready.error.find("refused") != std::string::npos || ready.error.find("reset") != std::string::npos ||
                    ready.error.find("closed") != std::string::npos)
            << ready.error;
    }
    EXPECT_TRUE(server.process().running()) << "exited before the in-flight request finished";

    ASSERT_TRUE(in_flight.send("\"drain-test\"}"));  // 20 bytes in all
    auto response = in_flight.read_response(5s);
    ASSERT_TRUE(response.error.empty()) << response.describe();
    EXPECT_EQ(response.status, 405) << response.describe();
    EXPECT_EQ(response.header("allow"), "GET, HEAD");
    EXPECT_EQ(response.json()["error"]["code"], "method_not_allowed");
    EXPECT_FALSE(response.header("x-request-id").empty());

    auto exited = server.process().wait(10s);
    EXPECT_TRUE(exited.exited) << exited.describe();
    EXPECT_EQ(exited.exit_code, 0) << exited.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, 10s);
}

TEST_F(AppServe, SigintWithoutConnectionsExits0Promptly) {
    ServerProcess server(server_env(db_.url()));
    ASSERT_TRUE(server.started()) << server.output();
    ASSERT_EQ(http_get(server.port(), "/health").status, 200);
    auto started = std::chrono::steady_clock::now();
    auto stopped = server.stop(SIGINT, 5s);
    EXPECT_TRUE(stopped.exited) << stopped.describe();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_NE(stopped.out.find("drained, exiting"), std::string::npos) << stopped.out;
}

// Once "listening on" is logged, a SIGTERM must drain (exit 0), never kill the process with the default action.
TEST_F(AppServe, SigtermRightAfterListeningIsStillGraceful) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        ServerProcess server(server_env(db_.url()));
        ASSERT_TRUE(server.started()) << server.output();
        auto stopped = server.stop(SIGTERM, 5s);
        ASSERT_TRUE(stopped.exited) << "attempt " << attempt << ": " << stopped.describe();
        ASSERT_EQ(stopped.exit_code, 0) << "attempt " << attempt << ": " << stopped.describe();
    }
}

TEST_F(AppServe, DevModeGeneratesMissingSecretsAndSaysSoLoudly) {
    auto env = server_env(db_.url());
    for (const auto* name : {"JWT_SECRET", "MEDIA_URL_SECRET", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"}) {
        env.erase(name);
    }
    env["INBOX_DEV_MODE"] = "1";
    ServerProcess server(env);
    ASSERT_TRUE(server.started()) << server.output();
    auto log = server.process().stdout_text();
    for (const auto* name : {"JWT_SECRET", "MEDIA_URL_SECRET", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"}) {
        EXPECT_NE(log.find(std::string("INBOX_DEV_MODE: ") + name), std::string::npos) << name << "\n" << log;
    }
    // A token signed with anything the test knows is refused: the generated secret is random.
    EXPECT_EQ(http_get(server.port(), "/accounts", token_for("user-a")).status, 401);
}

TEST(AppServeNoDatabase, StartsWithoutPostgresAndAnswers503NotCrash) {
    ClosedPort closed;
    auto env = server_env("postgresql://postgres@127.0.0.1:" + std::to_string(closed.port()) + "/inbox");
    ServerProcess server(env, {"--no-migrate"});
    ASSERT_TRUE(server.started()) << server.output();

    auto health = http_get(server.port(), "/health");
    EXPECT_EQ(health.status, 200) << health.describe();

    auto ready = http_get(server.port(), "/ready");
    ASSERT_EQ(ready.status, 503) << ready.describe();
    EXPECT_EQ(ready.json()["status"], "unavailable");
    EXPECT_NE(ready.json()["checks"]["postgres"], "ok") << ready.body;

    auto accounts = http_get(server.port(), "/accounts", token_for("user-a"));
    EXPECT_EQ(accounts.status, 503) << accounts.describe();
    EXPECT_EQ(accounts.json()["error"]["code"], "service_unavailable") << accounts.body;
    auto retry_after = accounts.header("retry-after");
    ASSERT_FALSE(retry_after.empty()) << accounts.describe();
    EXPECT_EQ(retry_after.find_first_not_of("0123456789"), std::string::npos) << retry_after;
    EXPECT_FALSE(accounts.header("x-request-id").empty());

    auto stopped = server.stop(SIGTERM);
    EXPECT_EQ(stopped.exit_code, 0) << stopped.describe();
}

TEST(AppServeNoDatabase, ServeWithMigrationsAndNoPostgresFailsWithExit1) {
    ClosedPort closed;
    auto env = server_env("postgresql://postgres@127.0.0.1:" + std::to_string(closed.port()) + "/inbox");
    auto result = cli({"serve"}, env, 20s);
    EXPECT_TRUE(result.exited) << result.describe();
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(result.err_first_line().starts_with("error: ")) << result.describe();
}

}  // namespace
}  // namespace inbox::testing
