// Our reactions (API.md Part 2, "Replies, reactions") on a real server over a real database, against the fake
// Graph API: one emoji per user on a message Meta has, sent as Meta's reaction message, folded onto the message
// (replaced, removed by ""), inside the window only; never a message of the thread.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class ReactionTest : public FakeGraphTest {
protected:
    ReactionTest() : FakeGraphTest(fake_graph_options()) {}

    std::string conversation(const std::string& last_inbound = "now() - interval '1 hour'") {
        return add_conversation(account_a, "now() - interval '1 hour'", "open", 0, last_inbound);
    }
    std::string inbound(const std::string& conversation_id, const std::optional<std::string>& wamid) {
        MessageSpec spec;
        spec.wa_message_id = wamid;
        spec.body = "It arrived today!";
        spec.timestamp = "now() - interval '50 minutes'";
        return add_message(account_a, conversation_id, spec);
    }
    RawResponse react(const std::string& message_id, const json& body, const std::string& token = "") {
        return post_json(server_.port(), "/messages/" + message_id + "/reactions", token.empty() ? alice : token,
                         body.dump());
    }
};

TEST_F(ReactionTest, OurReactionIsSentFoldedReplacedAndRemoved) {
    const auto id = conversation();
    const auto target = inbound(id, "wamid.react-target-1");
    auto liked = react(target, {{"emoji", "👍"}});
    ASSERT_EQ(liked.status, 200) << liked.body;
    auto reactions = json_of(liked)["message"]["reactions"];
    ASSERT_EQ(reactions.size(), 1u) << reactions.dump();
    EXPECT_EQ(reactions[0]["emoji"], "👍");
    EXPECT_EQ(reactions[0]["direction"], "outbound");
    EXPECT_EQ(reactions[0]["user_id"], alice_id);
    EXPECT_FALSE(reactions[0]["at"].get<std::string>().empty());
    EXPECT_EQ(json_of(liked)["message"]["id"], target);

    auto sent = fake_control.requests("messages");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["json"]["type"], "reaction");
    EXPECT_EQ(sent[0]["json"]["reaction"], json({{"message_id", "wamid.react-target-1"}, {"emoji", "👍"}}));

    // Another emoji replaces ours; the customer's stays beside it; "" removes ours.
    db.execute("UPDATE messages SET reactions = fold_reaction(reactions, 'inbound', NULL, '😍', now())"
               " WHERE id = '" + target + "'");
    auto loved = react(target, {{"emoji", "❤️"}});
    ASSERT_EQ(loved.status, 200) << loved.body;
    reactions = json_of(loved)["message"]["reactions"];
    ASSERT_EQ(reactions.size(), 2u) << reactions.dump();
    EXPECT_EQ(reactions[0]["emoji"], "❤️") << "replaced in place";
    EXPECT_EQ(reactions[1]["direction"], "inbound");
    auto removed = react(target, {{"emoji", ""}});
    ASSERT_EQ(removed.status, 200) << removed.body;
    reactions = json_of(removed)["message"]["reactions"];
    ASSERT_EQ(reactions.size(), 1u);
    EXPECT_EQ(reactions[0]["direction"], "inbound");
    EXPECT_EQ(fake_control.requests("messages")[2]["json"]["reaction"]["emoji"], "");

    // Reactions are not messages of the thread; the page shows them on their target, and their wamids are kept.
    auto page = json_of(get("/conversations/" + id + "/messages", alice))["data"];
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0]["reactions"], reactions);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM sent_reactions WHERE message_id = '" + target + "'"), "3");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE direction = 'outbound'"), "0");
}

// Meta's status webhook for our reaction can overtake its answer: parked then (the wamid is not known yet), it is
// dropped when the reaction's wamid is recorded, and later statuses for that wamid are ignored.
TEST_F(ReactionTest, AStatusParkedBeforeOurReactionWasRecordedIsDropped) {
    const auto id = conversation();
    const auto target = inbound(id, "wamid.react-target-early");
    db.execute("INSERT INTO parked_statuses (account_id, wa_message_id, status, timestamp) VALUES ('" + account_a +
               "', 'wamid.our-reaction', 'delivered', now())");
    db.execute("SELECT record_sent_reaction('" + account_a + "', 'wamid.our-reaction', '" + target + "')");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM parked_statuses"), "0");
    EXPECT_EQ(db.query_value("SELECT message_id FROM sent_reactions WHERE wa_message_id = 'wamid.our-reaction'"),
              target);
    // Recorded twice (a repeated call): nothing changes.
    db.execute("SELECT record_sent_reaction('" + account_a + "', 'wamid.our-reaction', '" + target + "')");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM sent_reactions WHERE wa_message_id = 'wamid.our-reaction'"), "1");
}

TEST_F(ReactionTest, EachUserHasTheirOwnReaction) {
    const auto id = conversation();
    const auto target = inbound(id, "wamid.react-target-2");
    const auto carol_id = "carol-" + db.name();
    db.execute("INSERT INTO account_members (user_id, account_id) VALUES ('" + carol_id + "', '" + account_a + "')");
    ASSERT_EQ(react(target, {{"emoji", "👍"}}).status, 200);
    auto second = react(target, {{"emoji", "🙏"}}, token_for(carol_id));
    ASSERT_EQ(second.status, 200) << second.body;
    auto reactions = json_of(second)["message"]["reactions"];
    ASSERT_EQ(reactions.size(), 2u);
    EXPECT_EQ(reactions[0]["user_id"], alice_id);
    EXPECT_EQ(reactions[1]["user_id"], carol_id);
}

TEST_F(ReactionTest, WhatCannotBeReactedToIsRefusedBeforeMeta) {
    const auto id = conversation();
    const auto target = inbound(id, "wamid.react-target-3");
    for (const json& bad : {json{{"emoji", "ok"}}, json{{"emoji", "👍👍"}}, json{{"emoji", 1}}, json::object()}) {
        auto refused = react(target, bad);
        EXPECT_EQ(refused.status, 422) << bad.dump() << ": " << refused.body;
        EXPECT_EQ(json_of(refused)["error"]["code"], "validation_failed");
    }
    EXPECT_EQ(react(inbound(id, std::nullopt), {{"emoji", "👍"}}).status, 422) << "no wa_message_id";
    EXPECT_EQ(react(target, {{"emoji", "👍"}}, bob).status, 404) << "another account's message";
    EXPECT_EQ(react("00000000-0000-4000-8000-000000000000", {{"emoji", "👍"}}).status, 404);
    EXPECT_EQ(react("nope", {{"emoji", "👍"}}).status, 404);

    const auto closed = conversation("now() - interval '25 hours'");
    auto outside = react(inbound(closed, "wamid.react-target-old"), {{"emoji", "👍"}});
    EXPECT_EQ(outside.status, 422) << outside.body;
    EXPECT_EQ(json_of(outside)["error"]["code"], "outside_free_window");
    EXPECT_EQ(fake_control.requests("messages").size(), 0u);
}

TEST_F(ReactionTest, GraphFailuresAreAnsweredAsForSendsAndNothingIsFolded) {
    const auto id = conversation();
    const auto target = inbound(id, "wamid.react-target-4");
    fake_control.fail("messages", {{"code", 131051}, {"count", 1}});
    auto refused = react(target, {{"emoji", "👍"}});
    ASSERT_EQ(refused.status, 502) << refused.body;
    EXPECT_EQ(json_of(refused)["error"]["graph_error"]["code"], 131051);
    fake_control.fail("messages", {{"status", 503}, {"code", 2}, {"count", 1}});
    auto outage = react(target, {{"emoji", "👍"}});
    ASSERT_EQ(outage.status, 503) << outage.body;
    EXPECT_FALSE(outage.header("retry-after").empty());
    EXPECT_EQ(db.query_value("SELECT reactions::text FROM messages WHERE id = '" + target + "'"), "[]");
}

}  // namespace
}  // namespace inbox::testing
