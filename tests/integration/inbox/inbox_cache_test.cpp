// Reads with Redis as the shared cache of several instances, and Redis down: a miss, never an error.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class InboxRedisTest : public InboxFixture {
protected:
    InboxRedisTest() : InboxFixture(kNoGraph, required_env("TEST_REDIS_URL")) {}
};

// Two readers racing a writer never see a row older than the last commit: each read is its own statement.
TEST_F(InboxRedisTest, ConcurrentReadsNeverSeeAConversationOlderThanTheLastWrite) {
    auto conversation = add_conversation(account_a, "now()", "open", 4, "now() - interval '2 hours'");
    auto statements = server_.db_statements();
    auto first = get("/conversations/" + conversation, alice);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(server_.db_statements() - statements, 1u);
    EXPECT_EQ(get("/conversations/" + conversation, bob).status, 404);

    std::atomic<bool> stop{false};
    std::atomic<int> written{4};
    std::atomic<int> stale{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!stop) {
                const int committed = written.load();  // read before the request: the answer may only be newer
                auto response = get("/conversations/" + conversation, alice);
                if (response.status == 200 && json_of(response)["unread_count"].get<int>() < committed) ++stale;
            }
        });
    }
    for (int unread = 5; unread < 40; ++unread) {
        db.execute("UPDATE conversations SET unread_count = " + std::to_string(unread) + " WHERE id = '" +
                   conversation + "'");
        written = unread;
    }
    stop = true;
    for (auto& reader : readers) reader.join();
    EXPECT_EQ(stale.load(), 0);

    ASSERT_EQ(post("/conversations/" + conversation + "/read", alice).status, 200);
    auto after = json_of(get("/conversations/" + conversation, alice));
    EXPECT_EQ(after["unread_count"], 0);
    EXPECT_TRUE(after["free_window"]["open"].get<bool>());
}

class InboxRedisDownTest : public InboxFixture {
protected:
    // Nothing listens on port 1: every cache call fails.
    InboxRedisDownTest() : InboxFixture(kNoGraph, std::string("redis://127.0.0.1:1")) {}
};

TEST_F(InboxRedisDownTest, EveryReadStillAnswersFromPostgres) {
    auto conversation = add_conversation(account_a, "now()", "open", 1);
    add_message(account_a, conversation);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(get("/accounts/" + account_a + "/conversations", alice).status, 200);
        auto response = get("/conversations/" + conversation, alice);
        ASSERT_EQ(response.status, 200) << response.body;
        EXPECT_EQ(get("/conversations/" + conversation + "/messages", alice).status, 200);
        EXPECT_EQ(get("/conversations/" + conversation, bob).status, 404);
    }
    EXPECT_EQ(json_of(post("/conversations/" + conversation + "/read", alice)), json({{"unread_count", 0}}));
    EXPECT_EQ(json_of(get("/conversations/" + conversation, alice))["unread_count"], 0);
}

}  // namespace
}  // namespace inbox::testing
