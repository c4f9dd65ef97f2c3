// DbLane: one family of calls cannot take the pool's last connection; past the acquire deadline it is 503, while
// the other families go on.
#include "inbox/storage/db_lane.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "inbox/observability/metrics.hpp"
#include "test_database.hpp"

namespace inbox::storage {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Built outside any coroutine (GCC 12 and capturing lambda temporaries in co_await).
asio::awaitable<std::string> sleep_then_answer(DbLane& lane, double seconds, std::string answer) {
    return lane.run([seconds, answer](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        db.exec_plain(tx, "SELECT pg_sleep(" + std::to_string(seconds) + ")");
        return answer;
    });
}

class DbLaneTest : public ::testing::Test {
protected:
    testing::TestDatabase db;
    observability::MetricsRegistry metrics;
    DbPool pool{{.url = db.url(), .size = 3, .acquire_timeout = 300ms}, metrics};
    asio::io_context io;
    std::thread runner;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};

    DbLaneTest() {
        runner = std::thread([this] { io.run(); });
    }
    ~DbLaneTest() override {
        work.reset();
        runner.join();
    }
    std::future<std::string> start(DbLane& lane, double seconds, std::string answer) {
        return asio::co_spawn(io, sleep_then_answer(lane, seconds, std::move(answer)), asio::use_future);
    }
};

TEST_F(DbLaneTest, ALaneHoldsAllButOneConnectionAndTheOtherLanesGoOn) {
    DbLane hot(pool, "hot"), other(pool, "other");
    ASSERT_EQ(hot.capacity(), 2u);
    auto first = start(hot, 1.5, "first");
    auto second = start(hot, 1.5, "second");
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(hot.in_use(), 2u);

    auto started = std::chrono::steady_clock::now();
    auto refused = start(hot, 0, "refused");
    auto served = start(other, 0, "served");
    EXPECT_EQ(served.get(), "served");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 250ms) << "the last connection was free for others";
    EXPECT_THROW(refused.get(), UnavailableError);
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 1s) << "refused at the acquire deadline, not when a place came free";

    EXPECT_EQ(first.get(), "first");
    EXPECT_EQ(second.get(), "second");
    EXPECT_EQ(hot.in_use(), 0u);
    EXPECT_EQ(start(hot, 0, "again").get(), "again");
}

TEST_F(DbLaneTest, AFreedPlaceGoesToTheOldestWaiterBeforeItsDeadline) {
    DbLane lane(pool, "lane");
    auto first = start(lane, 0.1, "first");
    auto second = start(lane, 0.1, "second");
    std::this_thread::sleep_for(30ms);
    auto waiting = start(lane, 0, "waited");  // deadline 300 ms, a place frees at ~100 ms
    EXPECT_EQ(waiting.get(), "waited");
    EXPECT_EQ(first.get(), "first");
    EXPECT_EQ(second.get(), "second");
    EXPECT_EQ(lane.in_use(), 0u);
}

TEST_F(DbLaneTest, AFailingCallGivesItsPlaceBack) {
    DbLane lane(pool, "lane");
    auto failing = asio::co_spawn(io, lane.run([](DbConnection& db) -> int {
        pqxx::nontransaction tx(db.raw());
        db.exec_plain(tx, "SELECT 1/0");
        return 0;
    }),
                                  asio::use_future);
    EXPECT_THROW(failing.get(), pqxx::sql_error);
    EXPECT_EQ(lane.in_use(), 0u);
}

}  // namespace
}  // namespace inbox::storage
