// The exact page cache (services/page_cache.hpp, migration 0006): a held page costs one version statement, and no
// write, whatever path makes it (a route, a webhook, plain SQL), can leave a stale page visible.
#include <gtest/gtest.h>

#include <thread>

#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class PageCacheTest : public InboxFixture {
protected:
    std::uint64_t page_hits(const std::string& page) {
        return server_.counter("inbox_page_cache_total", {{"page", page}, {"outcome", "hit"}});
    }
    json list_a() {
        auto response = get("/accounts/" + account_a + "/conversations?status=all", alice);
        EXPECT_EQ(response.status, 200) << response.body;
        return json::parse(response.body);
    }
    json messages_of(const std::string& conversation, const std::string& query = "") {
        auto response = get("/conversations/" + conversation + "/messages" + query, alice);
        EXPECT_EQ(response.status, 200) << response.body;
        return json::parse(response.body);
    }
};

TEST_F(PageCacheTest, AHeldPageCostsOneVersionStatementAndAnswersTheSameBytes) {
    auto conversation = add_conversation(account_a, "now()", "open", 2);
    add_message(account_a, conversation, {.body = "hello"});
    for (const auto& target : {"/accounts/" + account_a + "/conversations", "/conversations/" + conversation +
                                                                              "/messages?limit=10"}) {
        auto first = get(target, alice);
        ASSERT_EQ(first.status, 200) << first.body;
        const auto statements = server_.db_statements();
        auto second = get(target, alice);
        EXPECT_EQ(server_.db_statements() - statements, 1u) << target;
        EXPECT_EQ(second.body, first.body) << target;
    }
    EXPECT_EQ(page_hits("conversations"), 1u);
    EXPECT_EQ(page_hits("messages"), 1u);
}

TEST_F(PageCacheTest, EveryKindOfWriteIsVisibleAtTheNextRead) {
    auto contact = add_contact(account_a, "16505550001", std::nullopt, "Sheena");
    auto conversation = add_conversation(account_a, "now()", "open", 3, "NULL", contact);
    auto message = add_message(account_a, conversation,
                               {.direction = "outbound", .wa_message_id = "wamid.OUT1", .status = "sent"});
    ASSERT_EQ(list_a()["data"][0]["contact"]["name"], "Sheena");
    ASSERT_EQ(messages_of(conversation)["data"][0]["status"], "sent");
    list_a();  // held now
    messages_of(conversation);

    // A route's write (mark read).
    ASSERT_EQ(post("/conversations/" + conversation + "/read", alice).status, 200);
    EXPECT_EQ(list_a()["data"][0]["unread_count"], 0);
    // Plain SQL on each table a page shows: the triggers, not the code paths, keep the versions.
    db.execute("UPDATE contacts SET name = 'Sheena N.' WHERE id = '" + contact + "'");
    EXPECT_EQ(list_a()["data"][0]["contact"]["name"], "Sheena N.");
    db.execute("UPDATE conversations SET last_message_preview = 'changed' WHERE id = '" + conversation + "'");
    EXPECT_EQ(list_a()["data"][0]["last_message_preview"], "changed");
    db.execute("UPDATE messages SET status = 'read' WHERE id = '" + message + "'");
    EXPECT_EQ(messages_of(conversation)["data"][0]["status"], "read");
    add_message(account_a, conversation, {.timestamp = "now() + interval '1 second'", .body = "newer"});
    auto page = messages_of(conversation);
    ASSERT_EQ(page["data"].size(), 2u);
    EXPECT_EQ(page["data"][0]["text"], "newer");
    db.execute("DELETE FROM messages WHERE id = '" + message + "'");
    EXPECT_EQ(messages_of(conversation)["data"].size(), 1u);
    auto second = add_conversation(account_a, "now() + interval '1 minute'");
    EXPECT_EQ(list_a()["data"][0]["id"], second);
    db.execute("DELETE FROM conversations WHERE id = '" + second + "'");
    EXPECT_EQ(list_a()["data"].size(), 1u);
}

TEST_F(PageCacheTest, AQuotedMessageArrivingLaterUpdatesTheReplyInAnotherConversation) {
    auto contact = add_contact(account_a, "16505550002");
    auto closed = add_conversation(account_a, "now() - interval '1 day'", "closed", 0, "NULL", contact);
    auto open = add_conversation(account_a, "now()", "open", 0, "NULL", contact);
    add_message(account_a, open,
                {.wa_message_id = "wamid.REPLY", .extra_columns = ", reply_to_wa_message_id",
                 .extra_values = ", 'wamid.QUOTED'"});
    ASSERT_TRUE(messages_of(open)["data"][0]["reply_to"]["message_id"].is_null());
    auto quoted = add_message(account_a, closed, {.wa_message_id = "wamid.QUOTED"});
    EXPECT_EQ(messages_of(open)["data"][0]["reply_to"]["message_id"], quoted);
}

TEST_F(PageCacheTest, ARevokedMembershipIsNeverAnsweredFromTheCache) {
    auto conversation = add_conversation(account_a);
    add_message(account_a, conversation);
    list_a();
    messages_of(conversation);
    db.execute("DELETE FROM account_members WHERE user_id = '" + alice_id + "'");
    EXPECT_EQ(get("/accounts/" + account_a + "/conversations?status=all", alice).status, 404);
    EXPECT_EQ(get("/conversations/" + conversation + "/messages", alice).status, 404);
    // Another account's member never gets the page either, held or not.
    EXPECT_EQ(get("/accounts/" + account_a + "/conversations?status=all", bob).status, 404);
    EXPECT_EQ(get("/conversations/" + conversation + "/messages", bob).status, 404);
}

TEST_F(PageCacheTest, AHeldListIsNotAnsweredOnceAWindowItShowsOpenHasClosed) {
    // The window closes 2 s from now, with no write at all in between.
    add_conversation(account_a, "now()", "open", 0, "now() - interval '24 hours' + interval '2 seconds'");
    ASSERT_TRUE(list_a()["data"][0]["free_window"]["open"].get<bool>());
    ASSERT_TRUE(list_a()["data"][0]["free_window"]["open"].get<bool>());  // held
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    EXPECT_FALSE(list_a()["data"][0]["free_window"]["open"].get<bool>());
}

TEST_F(PageCacheTest, CursorsAndWindowsAreSeparatePages) {
    auto conversation = add_conversation(account_a);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        ids.push_back(add_message(account_a, conversation,
                                  {.timestamp = "now() - interval '" + std::to_string(10 - i) + " minutes'",
                                   .body = "m" + std::to_string(i)}));
    }
    auto newest = messages_of(conversation, "?limit=2");
    auto older = messages_of(conversation, "?limit=2&before=" + newest["pagination"]["next_before"].get<std::string>());
    EXPECT_EQ(newest["data"][0]["text"], "m4");
    EXPECT_EQ(older["data"][0]["text"], "m2");
    EXPECT_EQ(messages_of(conversation, "?limit=2&offset=1")["data"][0]["text"], "m3");
    // Held pages answer the same; a cursor that is not a message of this conversation is still refused.
    EXPECT_EQ(messages_of(conversation, "?limit=2"), newest);
    auto other = add_conversation(account_a);
    auto foreign = add_message(account_a, other);
    EXPECT_EQ(get("/conversations/" + conversation + "/messages?before=" + foreign, alice).status, 400);
}

// Rows of departed backends are folded into the scope's base row plus one: the version still grows (a held page is
// read again once, never answered as if nothing had happened) and the rows per scope stay few.
TEST_F(PageCacheTest, FoldingDepartedBackendsKeepsTheVersionGrowing) {
    add_conversation(account_a);
    db.execute("INSERT INTO page_versions (scope, stripe, version) VALUES ('" + account_a + "', 2147483000, 5)");
    const auto version = [&] {
        return std::stoll(db.query_value("SELECT sum(version) FROM page_versions WHERE scope = '" + account_a + "'"));
    };
    list_a();
    const auto before = version();
    db.execute("SELECT compact_page_versions('" + account_a + "')");
    EXPECT_GT(version(), before);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM page_versions WHERE scope = '" + account_a +
                             "' AND stripe = 2147483000"),
              "0");
    const auto stale = server_.counter("inbox_page_cache_total", {{"page", "conversations"}, {"outcome", "stale"}});
    list_a();
    EXPECT_EQ(server_.counter("inbox_page_cache_total", {{"page", "conversations"}, {"outcome", "stale"}}), stale + 1);
    // Every writer bumps a row of its own backend: no two transactions ever wait on one version row.
    db.execute("UPDATE conversations SET unread_count = 1 WHERE account_id = '" + account_a + "'");
    EXPECT_EQ(db.query_value("SELECT count(DISTINCT stripe) > 1 FROM page_versions WHERE scope = '" + account_a + "'"),
              "t");
}

}  // namespace
}  // namespace inbox::testing
