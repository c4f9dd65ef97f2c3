// The server survives a Postgres restart without being restarted itself: the pool drops broken connections and
// reconnects. Restarts the suite's shared Postgres, so CTest runs it with RUN_SERIAL.
#include "app_fixture.hpp"

#include <signal.h>

#include <cstdlib>
#include <thread>

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;

// The value of an unlabelled counter or gauge in a Prometheus exposition (-1 when absent).
double metric_value(const std::string& exposition, const std::string& name) {
    std::size_t position = 0;
    while ((position = exposition.find(name + " ", position)) != std::string::npos) {
        if (position == 0 || exposition[position - 1] == '\n') return std::stod(exposition.substr(position + name.size() + 1));
        position += name.size();
    }
    return -1;
}

TEST(AppPostgresRestart, PoolRecoversWithoutRestartingTheServer) {
    auto restart_command = required_env("TEST_PG_RESTART_CMD");
    TestDatabase db;
    auto acme = add_account(db.url(), "Acme", "2001");
    ASSERT_EQ(cli({"member", "add", "--account", acme, "--user", "user-a"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);

    auto env = server_env(db.url());
    env["DB_POOL_SIZE"] = "2";
    // Sanitizer builds: libpqxx's own leak on a broken connection is not ours (see lsan_libpqxx.supp).
    const char* lsan_options = std::getenv("LSAN_OPTIONS");
    env["LSAN_OPTIONS"] = std::string(lsan_options ? lsan_options : "") + (lsan_options && *lsan_options ? ":" : "") +
                          "suppressions=" INBOX_LSAN_SUPPRESSIONS;
    ServerProcess server(env);
    ASSERT_TRUE(server.started()) << server.output();
    auto pid = server.process().pid();
    auto token = token_for("user-a");

    // Concurrent requests, so both pool connections are likely open when the restart breaks them.
    for (int round = 0; round < 3; ++round) {
        HttpResponse first;
        HttpResponse second;
        std::thread other([&] { second = http_get(server.port(), "/accounts", token); });
        first = http_get(server.port(), "/accounts", token);
        other.join();
        for (const auto* before : {&first, &second}) {
            ASSERT_EQ(before->status, 200) << before->describe();
            ASSERT_EQ(before->json()["data"].size(), 1u);
        }
    }
    auto connects_before = metric_value(http_get(server.port(), "/metrics").body, "inbox_db_connects_total");
    ASSERT_GE(connects_before, 1) << "inbox_db_connects_total missing";
    auto postmaster_started = db.query_value("SELECT pg_postmaster_start_time()::text");

    ASSERT_EQ(std::system(restart_command.c_str()), 0) << restart_command;
    ASSERT_NE(db.query_value("SELECT pg_postmaster_start_time()::text"), postmaster_started)
        << "Postgres was not restarted";

    int unavailable = 0;
    bool recovered = false;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!recovered && std::chrono::steady_clock::now() < deadline) {
        auto after = http_get(server.port(), "/accounts", token);
        ASSERT_NE(after.status, 500) << after.describe();
        ASSERT_TRUE(after.error.empty()) << after.describe() << "\n" << server.output();
        if (after.status == 200) {
            EXPECT_EQ(after.json()["data"].size(), 1u);
            recovered = true;
        } else {
            EXPECT_EQ(after.status, 503) << after.describe();
            ++unavailable;
            std::this_thread::sleep_for(200ms);
        }
    }
    EXPECT_TRUE(recovered) << server.output();
    EXPECT_LE(unavailable, 1) << "more than one 503 after the restart";

    // Both pooled connections work again, readiness is back, and it is the same process.
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(http_get(server.port(), "/accounts", token).status, 200);
    }
    EXPECT_EQ(http_get(server.port(), "/ready").status, 200);
    // The pool reconnected by itself.
    EXPECT_GT(metric_value(http_get(server.port(), "/metrics").body, "inbox_db_connects_total"), connects_before);
    EXPECT_TRUE(server.process().running());
    EXPECT_EQ(server.process().pid(), pid);

    auto stopped = server.stop(SIGTERM);
    EXPECT_EQ(stopped.exit_code, 0) << stopped.describe();
}

}  // namespace
}  // namespace inbox::testing
