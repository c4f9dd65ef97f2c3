#include "inbox/storage/db_pool.hpp"

#include "inbox/observability/metrics.hpp"
#include "test_database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace inbox::storage {
namespace {

namespace asio = boost::asio;
using testing::TestDatabase;

constexpr Query kBackendPid{"test_backend_pid", "SELECT pg_backend_pid()"};

template <typename T>
T run_on(asio::io_context& io, asio::awaitable<T> work) {
    auto future = asio::co_spawn(io, std::move(work), asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

// Built outside the coroutine: GCC 12 mishandles capturing lambda temporaries inside co_await expressions.
asio::awaitable<std::string> select_ok_recording_thread(DbPool& pool, std::shared_ptr<std::thread::id> worker) {
    return pool.run([worker](DbConnection& connection) {
        *worker = std::this_thread::get_id();
        pqxx::nontransaction tx(connection.raw());
        return connection.exec_plain(tx, "SELECT 'ok'")[0][0].as<std::string>();
    });
}

class DbPoolTest : public ::testing::Test {
protected:
    TestDatabase db;
    observability::MetricsRegistry metrics;
    asio::io_context io;
};

TEST_F(DbPoolTest, RunsWorkOnThePoolAndResumesOnTheCallersThread) {
    DbPool pool({.url = db.url(), .size = 2}, metrics);
    auto caller = std::this_thread::get_id();
    // A named lambda: its captures must outlive the coroutine it starts.
    auto work = [&]() -> asio::awaitable<std::pair<std::string, bool>> {
        auto worker = std::make_shared<std::thread::id>();
        auto value = co_await select_ok_recording_thread(pool, worker);
        bool resumed_on_caller = std::this_thread::get_id() == caller && *worker != caller;
        co_return std::make_pair(value, resumed_on_caller);
    };
    auto answer = run_on(io, work());
    EXPECT_EQ(answer.first, "ok");
    EXPECT_TRUE(answer.second);
}

TEST_F(DbPoolTest, ExceptionsFromTheWorkReachTheAwaitingCoroutine) {
    DbPool pool({.url = db.url(), .size = 1}, metrics);
    EXPECT_THROW(run_on(io, pool.run([](DbConnection& connection) {
                     pqxx::nontransaction tx(connection.raw());
                     connection.exec_plain(tx, "SELECT * FROM no_such_table");
                     return 0;
                 })),
                 pqxx::sql_error);
}

TEST_F(DbPoolTest, SaturatedPoolFailsFastWithUnavailable) {
    DbPool pool({.url = db.url(), .size = 1, .acquire_timeout = std::chrono::milliseconds(50)}, metrics);
    std::promise<void> holding;
    std::promise<void> release;
    auto hold = std::async(std::launch::async, [&] {
        pool.run_sync([&](DbConnection&) {
            holding.set_value();
            release.get_future().wait();
            return 0;
        });
    });
    holding.get_future().wait();
    auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(pool.run_sync([](DbConnection&) { return 0; }), UnavailableError);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
    release.set_value();
    hold.get();
    EXPECT_NE(metrics.render_prometheus().find("inbox_db_rejected_total 1"), std::string::npos);
}

TEST_F(DbPoolTest, AConnectionKilledByTheServerIsReplacedTransparently) {
    DbPool pool({.url = db.url(), .size = 1}, metrics);
    auto backend_pid = [&] {
        return pool.run_sync([](DbConnection& connection) {
            pqxx::nontransaction tx(connection.raw());
            return connection.exec(tx, kBackendPid)[0][0].as<int>();
        });
    };
    auto first = backend_pid();
    db.execute("SELECT pg_terminate_backend(" + std::to_string(first) + ")");
    auto second = backend_pid();  // must not throw: the broken connection is dropped and re-opened
    EXPECT_NE(first, second);
    EXPECT_NE(metrics.render_prometheus().find("inbox_db_connects_total 2"), std::string::npos);
}

TEST_F(DbPoolTest, UnreachableDatabaseIsUnavailableNotACrash) {
    DbPool pool({.url = "postgresql://postgres@127.0.0.1:1/none", .size = 1}, metrics);
    EXPECT_THROW(pool.run_sync([](DbConnection&) { return 0; }), UnavailableError);
    EXPECT_FALSE(run_on(io, pool.ping()));
}

TEST_F(DbPoolTest, StatementTimeoutIsUnavailable) {
    DbPool pool({.url = db.url(), .size = 1, .statement_timeout = std::chrono::milliseconds(100)}, metrics);
    EXPECT_THROW(pool.run_sync([](DbConnection& connection) {
                     pqxx::nontransaction tx(connection.raw());
                     connection.exec_plain(tx, "SELECT pg_sleep(2)");
                     return 0;
                 }),
                 UnavailableError);
}

TEST_F(DbPoolTest, NamedQueriesArePreparedOncePerConnectionAndCounted) {
    DbPool pool({.url = db.url(), .size = 1}, metrics);
    for (int i = 0; i < 3; ++i) {
        pool.run_sync([](DbConnection& connection) {
            pqxx::nontransaction tx(connection.raw());
            return connection.exec(tx, kBackendPid).size();
        });
    }
    auto prepared = pool.run_sync([](DbConnection& connection) {
        pqxx::nontransaction tx(connection.raw());
        return connection.exec_plain(tx, "SELECT count(*) FROM pg_prepared_statements WHERE name = 'test_backend_pid'")
            [0][0].as<int>();
    });
    EXPECT_EQ(prepared, 1);
    EXPECT_NE(metrics.render_prometheus().find("inbox_db_statements_total 4"), std::string::npos);
}

}  // namespace
}  // namespace inbox::storage
