// The conversation cache on Redis (the shared cache of several instances), and Redis down: a miss, never an error.
#include <gtest/gtest.h>

#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class InboxRedisTest : public InboxFixture {
protected:
    InboxRedisTest() : InboxFixture(kNoGraph, required_env("TEST_REDIS_URL")) {}
};

TEST_F(InboxRedisTest, AReadInvalidatesTheCachedConversation) {
    auto conversation = add_conversation(account_a, "now()", "open", 4, "now() - interval '2 hours'");
    auto statements = server_.db_statements();
    auto first = get("/conversations/" + conversation, alice);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(server_.db_statements() - statements, 1u);

    statements = server_.db_statements();
    auto cached = get("/conversations/" + conversation, alice);
    EXPECT_EQ(server_.db_statements() - statements, 0u);  // row and membership both from Redis
    EXPECT_EQ(json_of(cached), json_of(first));
    EXPECT_EQ(get("/conversations/" + conversation, bob).status, 404);

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
