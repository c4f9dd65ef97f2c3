// The inbox reads over real HTTP and a real database: ordering, filters, pagination and its validation, the
// conversation and message objects, the free window, the `before` cursor, marking read, and the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <mutex>
#include <set>
#include <vector>

#include "inbox/domain/time.hpp"
#include "inbox/services/inbox_cache_keys.hpp"
#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class InboxReadTest : public InboxFixture {
protected:
    std::vector<std::string> ids_of(const json& body) {
        std::vector<std::string> ids;
        for (const auto& item : body["data"]) ids.push_back(item["id"].get<std::string>());
        return ids;
    }

    std::string conversations_of_a(const std::string& query = "") {
        return "/accounts/" + account_a + "/conversations" + query;
    }

    // The statements one request costs.
    template <typename Fn>
    std::uint64_t statements_of(Fn request) {
        const auto before = server_.db_statements();
        request();
        return server_.db_statements() - before;
    }
};

TEST_F(InboxReadTest, ConversationsAreMostRecentFirstNullsLastWithIdTieBreakInOneStatement) {
    auto older = add_conversation(account_a, "now() - interval '2 hours'");
    auto never = add_conversation(account_a, "NULL");
    auto newest = add_conversation(account_a, "now()");
    // Same instant for both (computed per statement, but the day does not change between them).
    auto tie_1 = add_conversation(account_a, "date_trunc('day', now()) - interval '1 day'");
    auto tie_2 = add_conversation(account_a, "date_trunc('day', now()) - interval '1 day'");
    add_conversation(account_b, "now()");  // another account's conversation never shows

    RawResponse response;
    EXPECT_EQ(statements_of([&] { response = get(conversations_of_a(), alice); }), 1u);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json; charset=utf-8");
    const std::vector<std::string> expected{newest, older, std::min(tie_1, tie_2), std::max(tie_1, tie_2), never};
    EXPECT_EQ(ids_of(json_of(response)), expected);
    EXPECT_EQ(json_of(response)["pagination"], json({{"limit", 50}, {"offset", 0}, {"has_more", false}}));
}

TEST_F(InboxReadTest, StatusFiltersOpenByDefaultClosedAndAll) {
    auto open = add_conversation(account_a, "now()");
    auto closed = add_conversation(account_a, "now() - interval '1 minute'", "closed");
    EXPECT_EQ(ids_of(json_of(get(conversations_of_a(), alice))), std::vector<std::string>{open});
    EXPECT_EQ(ids_of(json_of(get(conversations_of_a("?status=open"), alice))), std::vector<std::string>{open});
    EXPECT_EQ(ids_of(json_of(get(conversations_of_a("?status=closed"), alice))), std::vector<std::string>{closed});
    EXPECT_EQ(ids_of(json_of(get(conversations_of_a("?status=all"), alice))), (std::vector<std::string>{open, closed}));
}

TEST_F(InboxReadTest, ConversationPagesHaveLimitOffsetAndHasMore) {
    std::vector<std::string> all;
    for (int i = 0; i < 5; ++i) {
        all.push_back(add_conversation(account_a, "now() - interval '" + std::to_string(i) + " minutes'"));
    }
    auto first = json_of(get(conversations_of_a("?limit=2"), alice));
    EXPECT_EQ(ids_of(first), (std::vector<std::string>{all[0], all[1]}));
    EXPECT_EQ(first["pagination"], json({{"limit", 2}, {"offset", 0}, {"has_more", true}}));

    auto middle = json_of(get(conversations_of_a("?limit=2&offset=2"), alice));
    EXPECT_EQ(ids_of(middle), (std::vector<std::string>{all[2], all[3]}));
    EXPECT_TRUE(middle["pagination"]["has_more"].get<bool>());

    auto exact_end = json_of(get(conversations_of_a("?limit=3&offset=2"), alice));
    EXPECT_EQ(ids_of(exact_end), (std::vector<std::string>{all[2], all[3], all[4]}));
    EXPECT_FALSE(exact_end["pagination"]["has_more"].get<bool>());

    auto past_end = json_of(get(conversations_of_a("?offset=7"), alice));
    EXPECT_TRUE(past_end["data"].empty());
    EXPECT_FALSE(past_end["pagination"]["has_more"].get<bool>());
}

TEST_F(InboxReadTest, AMemberWithoutConversationsGetsAnEmptyList) {
    auto response = get(conversations_of_a(), alice);
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(json_of(response)["data"], json::array());
}

TEST_F(InboxReadTest, OutOfRangeOrNonNumericPaginationIs400NamingTheParameter) {
    auto conversation = add_conversation(account_a);
    const std::string messages = "/conversations/" + conversation + "/messages";
    struct Case {
        std::string query;
        std::string parameter;
    };
    const std::vector<Case> cases{
        {"?limit=0", "limit"},    {"?limit=201", "limit"}, {"?limit=-1", "limit"},      {"?limit=abc", "limit"},
        {"?limit=", "limit"},     {"?limit=1.5", "limit"}, {"?limit=+5", "limit"},      {"?limit=99999999999", "limit"},
        {"?offset=-1", "offset"}, {"?offset=x", "offset"}, {"?offset=100001", "offset"}};
    for (const auto& target : {conversations_of_a(), messages}) {
        for (const auto& c : cases) {
            SCOPED_TRACE(target + c.query);
            auto response = get(target + c.query, alice);
            ASSERT_EQ(response.status, 400);
            auto error = json_of(response)["error"];
            EXPECT_EQ(error["code"], "invalid_parameter");
            EXPECT_NE(error["message"].get<std::string>().find(c.parameter), std::string::npos) << error;
        }
    }
    for (const auto& query : {"?status=bogus", "?status=", "?status=OPEN"}) {
        auto response = get(conversations_of_a(query), alice);
        ASSERT_EQ(response.status, 400) << query;
        EXPECT_NE(json_of(response)["error"]["message"].get<std::string>().find("status"), std::string::npos);
    }
    for (const auto& query : {"?before=yesterday", "?before=2026-01-01", "?before=12345", "?before="}) {
        auto response = get(messages + query, alice);
        ASSERT_EQ(response.status, 400) << query;
        EXPECT_EQ(json_of(response)["error"]["code"], "invalid_parameter");
        EXPECT_NE(json_of(response)["error"]["message"].get<std::string>().find("before"), std::string::npos);
    }
    EXPECT_EQ(get(conversations_of_a("?limit=200&offset=100000"), alice).status, 200);
    EXPECT_EQ(get(conversations_of_a("?limit=1"), alice).status, 200);
}

TEST_F(InboxReadTest, ConversationEmbedsContactNameFallingBackToProfileName) {
    auto named = add_contact(account_a, "16505550001", "Agent Name", "Profile Name");
    auto unnamed = add_contact(account_a, "16505550002", std::nullopt, "Profile Name");
    auto with_name = add_conversation(account_a, "'2026-03-01T10:00:00Z'", "open", 2, "NULL", named);
    auto with_profile = add_conversation(account_a, "now()", "open", 0, "NULL", unnamed);

    auto body = json_of(get("/conversations/" + with_name, alice));
    EXPECT_EQ(body["id"], with_name);
    EXPECT_EQ(body["account_id"], account_a);
    EXPECT_EQ(body["contact"], json({{"id", named}, {"wa_id", "16505550001"}, {"name", "Agent Name"}}));
    EXPECT_EQ(body["status"], "open");
    EXPECT_EQ(body["unread_count"], 2);
    EXPECT_EQ(body["last_message_at"], "2026-03-01T10:00:00Z");
    EXPECT_EQ(body["last_message_preview"], "preview");
    EXPECT_EQ(body["last_inbound_at"], nullptr);
    EXPECT_EQ(body["free_window"], json({{"open", false}, {"expires_at", nullptr}}));

    EXPECT_EQ(json_of(get("/conversations/" + with_profile, alice))["contact"]["name"], "Profile Name");
}

TEST_F(InboxReadTest, FreeWindowIsOpenWithin24HoursOfTheLastInboundMessage) {
    auto open = add_conversation(account_a, "now()", "open", 0, "now() - interval '1 hour'");
    auto closed = add_conversation(account_a, "now()", "open", 0, "now() - interval '25 hours'");
    for (const auto& [id, expect_open] : {std::pair{open, true}, std::pair{closed, false}}) {
        auto body = json_of(get("/conversations/" + id, alice));
        EXPECT_EQ(body["free_window"]["open"], expect_open) << body;
        auto last_inbound = domain::parse_rfc3339(body["last_inbound_at"].get<std::string>());
        auto expires = domain::parse_rfc3339(body["free_window"]["expires_at"].get<std::string>());
        ASSERT_TRUE(last_inbound && expires) << body;
        EXPECT_EQ(*expires - *last_inbound, std::chrono::hours(24));
    }
    // The list computes it the same way.
    const auto list = json_of(get(conversations_of_a(), alice));
    for (const auto& item : list["data"]) {
        EXPECT_EQ(item["free_window"]["open"], item["id"] == open);
    }
}

TEST_F(InboxReadTest, MessagesHaveTheirFullShapeNewestFirst) {
    auto conversation = add_conversation(account_a);
    auto original = add_message(account_a, conversation,
                                {.timestamp = "'2026-02-01T10:00:00Z'", .wa_message_id = "wamid.ORIGINAL"});
    MessageSpec reply{
        .timestamp = "'2026-02-01T10:01:00Z'",
        .type = "interactive",
        .body = "Yes please",
        .wa_message_id = "wamid.REPLY",
        .extra_columns = ", reply_to_wa_message_id, content",
        .extra_values = ", 'wamid.ORIGINAL', '{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"b1\"}}'"};
    auto reply_id = add_message(account_a, conversation, reply);
    MessageSpec unknown_reply{.timestamp = "'2026-02-01T10:02:00Z'",
                              .wa_message_id = "wamid.UNKNOWN_REPLY",
                              .extra_columns = ", reply_to_wa_message_id",
                              .extra_values = ", 'wamid.NOT_STORED'"};
    auto unknown_reply_id = add_message(account_a, conversation, unknown_reply);
    MessageSpec image{.timestamp = "'2026-02-01T10:03:00Z'",
                      .type = "image",
                      .body = std::nullopt,
                      .wa_message_id = "wamid.IMAGE",
                      .extra_columns = ", media_id, media_mime_type, media_sha256, media_file_size, media_state",
                      .extra_values = ", 'media-1', 'image/jpeg', 'abc123', 12345, 'stored'"};
    auto image_id = add_message(account_a, conversation, image);
    MessageSpec failed_template{
        .timestamp = "'2026-02-01T10:04:00Z'",
        .direction = "outbound",
        .type = "template",
        .body = "Hi there",
        .status = "failed",
        .extra_columns = ", template_name, template_language, error",
        .extra_values =
            ", 'welcome', 'en_US', '{\"code\":131047,\"title\":\"Re-engagement message\",\"details\":\"d\"}'"};
    auto template_id = add_message(account_a, conversation, failed_template);

    RawResponse response;
    EXPECT_EQ(statements_of([&] { response = get("/conversations/" + conversation + "/messages", alice); }), 1u);
    ASSERT_EQ(response.status, 200) << response.body;
    auto body = json_of(response);
    EXPECT_EQ(ids_of(body), (std::vector<std::string>{template_id, image_id, unknown_reply_id, reply_id, original}));
    EXPECT_EQ(body["pagination"], json({{"limit", 50}, {"offset", 0}, {"has_more", false}, {"next_before", nullptr}}));

    const auto& t = body["data"][0];
    EXPECT_EQ(t["conversation_id"], conversation);
    EXPECT_EQ(t["wa_message_id"], nullptr);
    EXPECT_EQ(t["direction"], "outbound");
    EXPECT_EQ(t["type"], "template");
    EXPECT_EQ(t["text"], "Hi there");
    EXPECT_EQ(t["status"], "failed");
    EXPECT_EQ(t["timestamp"], "2026-02-01T10:04:00Z");
    EXPECT_TRUE(domain::parse_rfc3339(t["created_at"].get<std::string>()).has_value());
    EXPECT_EQ(t["template"], json({{"name", "welcome"}, {"language", "en_US"}}));
    EXPECT_EQ(t["error"], json({{"code", 131047}, {"title", "Re-engagement message"}, {"details", "d"}}));
    EXPECT_EQ(t["media"], nullptr);
    EXPECT_EQ(t["reply_to"], nullptr);
    EXPECT_EQ(t["content"], json::object());

    const auto& img = body["data"][1];
    EXPECT_EQ(img["text"], nullptr);
    EXPECT_EQ(img["media"], json({{"mime_type", "image/jpeg"},
                                  {"sha256", "abc123"},
                                  {"file_size", 12345},
                                  {"filename", nullptr},
                                  {"state", "stored"},
                                  {"url", "/messages/media/" + image_id}}));
    EXPECT_EQ(img["template"], nullptr);
    EXPECT_EQ(img["error"], nullptr);

    EXPECT_EQ(body["data"][2]["reply_to"],
              json({{"wa_message_id", "wamid.NOT_STORED"}, {"message_id", nullptr}, {"preview", nullptr}}));
    EXPECT_EQ(body["data"][3]["reply_to"], json({{"wa_message_id", "wamid.ORIGINAL"},
                                                 {"message_id", original},
                                                 {"preview", {{"type", "text"}, {"text", "hello"}}}}));
    EXPECT_EQ(body["data"][3]["author"], nullptr) << "an inbound message has no author";
    EXPECT_EQ(body["data"][3]["content"], json({{"type", "button_reply"}, {"button_reply", {{"id", "b1"}}}}));
    EXPECT_EQ(body["data"][4]["wa_message_id"], "wamid.ORIGINAL");
    EXPECT_EQ(body["data"][4]["status"], "received");
}

TEST_F(InboxReadTest, BeforeATimeReturnsStrictlyOlderMessages) {
    auto conversation = add_conversation(account_a);
    auto at_9 = add_message(account_a, conversation, {.timestamp = "'2026-02-01T09:00:00Z'"});
    auto at_10 = add_message(account_a, conversation, {.timestamp = "'2026-02-01T10:00:00Z'"});
    add_message(account_a, conversation, {.timestamp = "'2026-02-01T11:00:00Z'"});
    auto target = "/conversations/" + conversation + "/messages?before=";
    EXPECT_EQ(ids_of(json_of(get(target + "2026-02-01T10:00:00Z", alice))), std::vector<std::string>{at_9});
    EXPECT_EQ(ids_of(json_of(get(target + "2026-02-01T10:00:00.000001Z", alice))),
              (std::vector<std::string>{at_10, at_9}));
    // An offset is honoured too: the zone is part of the time.
    EXPECT_EQ(ids_of(json_of(get(target + "2026-02-01T12:00:00%2B02:00", alice))), std::vector<std::string>{at_9});
    EXPECT_TRUE(json_of(get(target + "2000-01-01T00:00:00Z", alice))["data"].empty());
}

TEST_F(InboxReadTest, NextBeforeWalksTheWholeConversationWithoutGapsOrDuplicates) {
    auto conversation = add_conversation(account_a);
    add_message(account_b, add_conversation(account_b));  // noise elsewhere
    for (int i = 0; i < 23; ++i) {
        // Groups of three share a timestamp: the id must break the ties consistently.
        add_message(
            account_a, conversation,
            {.timestamp = "'2026-02-01T10:00:00Z'::timestamptz + interval '" + std::to_string(i / 3) + " seconds'"});
    }
    std::vector<std::string> expected;
    {
        auto rows = db.query_value(
            "SELECT string_agg(id::text, ',' ORDER BY timestamp DESC, id DESC) FROM messages"
            " WHERE conversation_id = '" +
            conversation + "'");
        for (std::size_t start = 0; start < rows.size(); start += 37) expected.push_back(rows.substr(start, 36));
    }
    ASSERT_EQ(expected.size(), 23u);

    std::vector<std::string> walked;
    std::string before;
    for (int page = 0; page < 10; ++page) {
        auto target =
            "/conversations/" + conversation + "/messages?limit=5" + (before.empty() ? "" : "&before=" + before);
        RawResponse response;
        EXPECT_EQ(statements_of([&] { response = get(target, alice); }), 1u);
        ASSERT_EQ(response.status, 200) << response.body;
        auto body = json_of(response);
        for (const auto& id : ids_of(body)) walked.push_back(id);
        if (!body["pagination"]["has_more"].get<bool>()) {
            EXPECT_EQ(body["pagination"]["next_before"], nullptr);
            break;
        }
        before = body["pagination"]["next_before"].get<std::string>();
        EXPECT_EQ(before, walked.back());
    }
    EXPECT_EQ(walked, expected);
}

TEST_F(InboxReadTest, OffsetCountsFromTheCursor) {
    auto conversation = add_conversation(account_a);
    std::vector<std::string> ids;  // oldest first
    for (int i = 0; i < 6; ++i) {
        ids.push_back(
            add_message(account_a, conversation, {.timestamp = "'2026-02-01T10:00:0" + std::to_string(i) + "Z'"}));
    }
    auto body = json_of(get("/conversations/" + conversation + "/messages?limit=2&offset=1&before=" + ids[4], alice));
    EXPECT_EQ(ids_of(body), (std::vector<std::string>{ids[2], ids[1]}));
    EXPECT_TRUE(body["pagination"]["has_more"].get<bool>());
    EXPECT_EQ(body["pagination"]["next_before"], ids[1]);
    EXPECT_EQ(body["pagination"]["offset"], 1);
}

TEST_F(InboxReadTest, BeforeMustBeAMessageOfThisConversation) {
    auto conversation = add_conversation(account_a);
    auto other = add_conversation(account_a);
    auto foreign_message = add_message(account_a, other);
    auto b_message = add_message(account_b, add_conversation(account_b));
    const auto target = "/conversations/" + conversation + "/messages?before=";
    for (const auto& before : {foreign_message, b_message, std::string("0b7e5a4c-0000-4000-8000-000000000000")}) {
        auto response = get(target + before, alice);
        ASSERT_EQ(response.status, 400) << before;
        EXPECT_EQ(json_of(response)["error"]["code"], "invalid_parameter");
    }
    // An upper-case id is the same id.
    auto own = add_message(account_a, conversation);
    std::string upper = own;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(get(target + upper, alice).status, 200);
}

TEST_F(InboxReadTest, ReadSetsUnreadToZeroAndPublishes) {
    auto conversation = add_conversation(account_a, "now()", "open", 2, "now() - interval '1 hour'");
    RawResponse first;
    EXPECT_EQ(statements_of([&] { first = get("/conversations/" + conversation, alice); }), 1u);
    EXPECT_EQ(json_of(first)["unread_count"], 2);
    RawResponse again;  // not cached: the same single statement, the same answer
    EXPECT_EQ(statements_of([&] { again = get("/conversations/" + conversation, alice); }), 1u);
    EXPECT_EQ(json_of(again), json_of(first));

    RawResponse read;
    EXPECT_EQ(statements_of([&] { read = post("/conversations/" + conversation + "/read", alice); }), 1u);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(json_of(read), json({{"unread_count", 0}}));
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations WHERE id = '" + conversation + "'"), "0");

    auto after = json_of(get("/conversations/" + conversation, alice));
    EXPECT_EQ(after["unread_count"], 0);

    // Live clients hear of a read. Subscribed only now: the relay loads the conversation for subscribers through
    // the pool, which the round-trip count above must not include.
    std::mutex mutex;
    std::vector<services::LiveEvent> events;
    server_.bus().subscribe([&](const services::LiveEvent& event) {
        std::lock_guard lock(mutex);
        events.push_back(event);
    });
    ASSERT_EQ(post("/conversations/" + conversation + "/read", alice).status, 200);

    // The event travels through Postgres NOTIFY, so it arrives shortly after the commit.
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard lock(mutex);
            if (!events.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // and it is the only one
    std::lock_guard lock(mutex);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, "conversation.updated");
    EXPECT_EQ(events[0].account_id, account_a);
    EXPECT_EQ(json::parse(events[0].data), after);
}

// Not cached (a cached row raced its writers' erases): every read is one statement, exact, membership included.
TEST_F(InboxReadTest, AConversationReadIsExactAndOnlyForMembers) {
    auto conversation = add_conversation(account_a);
    ASSERT_EQ(get("/conversations/" + conversation, alice).status, 200);
    std::uint64_t statements = 0;
    RawResponse response;
    statements = statements_of([&] { response = get("/conversations/" + conversation, bob); });
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(statements, 1u);
    // A write that no cache heard of is seen by the next read.
    db.execute("UPDATE conversations SET last_message_preview = 'written behind our back' WHERE id = '" +
               conversation + "'");
    statements = statements_of([&] { response = get("/conversations/" + conversation, alice); });
    EXPECT_EQ(json_of(response)["last_message_preview"], "written behind our back");
    EXPECT_EQ(statements, 1u);
    // A revoked membership counts at once.
    db.execute("DELETE FROM account_members WHERE user_id = '" + alice_id + "'");
    EXPECT_EQ(get("/conversations/" + conversation, alice).status, 404);
}

TEST_F(InboxReadTest, IdsThatAreNotUuidsAreNotFound) {
    for (const auto& target : {std::string("/conversations/not-a-uuid"), std::string("/conversations/123/messages"),
                               std::string("/accounts/abc/conversations"), std::string("/accounts/abc/templates"),
                               std::string("/conversations/0b7e5a4c-0000-4000-8000-00000000000/messages")}) {
        auto response = get(target, alice);
        EXPECT_EQ(response.status, 404) << target;
        EXPECT_EQ(json_of(response)["error"]["code"], "not_found") << target;
    }
    auto response = post("/conversations/nope/read", alice);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(post("/accounts/nope/templates/sync", alice).status, 404);
}

}  // namespace
}  // namespace inbox::testing
