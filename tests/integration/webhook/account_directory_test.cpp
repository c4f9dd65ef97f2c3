// Webhook routing by phone_number_id: cached for 30 minutes, unknown numbers never cached.
#include "inbox/services/account_directory.hpp"

#include "inbox/cache/memory_cache.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/account_repository.hpp"
#include "inbox/storage/db_pool.hpp"
#include "test_database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace inbox::services {
namespace {

namespace asio = boost::asio;

class AccountDirectoryTest : public ::testing::Test {
protected:
    testing::TestDatabase db;
    observability::MetricsRegistry metrics;
    storage::DbPool pool{{.url = db.url(), .size = 2}, metrics};
    storage::AccountRepository accounts{pool};
    cache::MemoryCache cache{100, metrics};
    AccountDirectory directory{accounts, cache};
    asio::io_context io;

    template <typename T>
    T run(asio::awaitable<T> awaitable) {
        auto future = asio::co_spawn(io, std::move(awaitable), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }

    std::string add_account(const std::string& phone_number_id) {
        return accounts.create({"Acme", phone_number_id, "waba-1", "token", std::nullopt, std::nullopt});
    }
};

TEST_F(AccountDirectoryTest, FindsTheAccountOfANumberAndCachesIt) {
    auto id = add_account("106540352242922");
    EXPECT_EQ(run(directory.account_id_for("106540352242922")), id);
    EXPECT_EQ(run(cache.get(account_by_phone_key("106540352242922"))), id);

    // Served from the cache from now on: the database no longer has to answer.
    db.execute("UPDATE accounts SET phone_number_id = 'moved' WHERE id = '" + id + "'");
    EXPECT_EQ(run(directory.account_id_for("106540352242922")), id);
}

TEST_F(AccountDirectoryTest, UnknownNumbersAreNotCachedSoANewAccountIsSeenAtOnce) {
    EXPECT_EQ(run(directory.account_id_for("15550000000")), std::nullopt);
    EXPECT_EQ(run(cache.get(account_by_phone_key("15550000000"))), std::nullopt);

    auto id = add_account("15550000000");
    EXPECT_EQ(run(directory.account_id_for("15550000000")), id);
}

TEST_F(AccountDirectoryTest, KeysCarryTheVersionPrefix) {
    EXPECT_EQ(account_by_phone_key("123"), "v1:account:phone:123");
}

}  // namespace
}  // namespace inbox::services
