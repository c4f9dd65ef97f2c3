// Replies (API.md Part 2, "Replies, reactions"): `reply_to` on a send names a message of the same conversation
// that Meta has; it goes out as Meta's `context` and the stored message carries `reply_to` like an inbound reply.
#include <gtest/gtest.h>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

class ReplySendTest : public FakeGraphTest {
protected:
    ReplySendTest() : FakeGraphTest(fake_graph_options()) {}

    std::string conversation(const std::string& account = "") {
        return add_conversation(account.empty() ? account_a : account, "now() - interval '1 hour'", "open", 0,
                                "now() - interval '1 hour'");
    }
    std::string inbound(const std::string& account, const std::string& conversation_id, const std::string& wamid) {
        MessageSpec spec;
        spec.wa_message_id = wamid;
        spec.body = "Does it come in red?";
        spec.timestamp = "now() - interval '30 minutes'";
        return add_message(account, conversation_id, spec);
    }
    RawResponse send(const std::string& route, const json& body, const std::string& token = "") {
        return post_json(server_.port(), route, token.empty() ? alice : token, body.dump());
    }
};

TEST_F(ReplySendTest, AReplyGoesOutWithItsContextAndIsStoredAsOne) {
    const auto id = conversation();
    const auto question = inbound(account_a, id, "wamid.reply-target-1");
    auto response = send("/messages/send", {{"conversation_id", id}, {"text", "Yes, it does!"}, {"reply_to", question}});
    ASSERT_EQ(response.status, 201) << response.body;
    auto message = json_of(response)["message"];
    EXPECT_EQ(message["reply_to"]["wa_message_id"], "wamid.reply-target-1");
    EXPECT_EQ(message["reply_to"]["message_id"], question);
    EXPECT_EQ(message["reply_to"]["preview"], (json{{"type", "text"}, {"text", "Does it come in red?"}}));
    EXPECT_EQ(message["author"], (json{{"user_id", alice_id}}));

    auto sent = fake_control.requests("messages");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["json"]["context"]["message_id"], "wamid.reply-target-1");

    // Read back, the thread shows the reply resolved to its target.
    auto page = json_of(get("/conversations/" + id + "/messages", alice))["data"];
    ASSERT_FALSE(page.empty());
    EXPECT_EQ(page[0]["id"], message["id"]);
    EXPECT_EQ(page[0]["reply_to"]["message_id"], question);
    EXPECT_EQ(page[0]["reply_to"]["preview"]["text"], "Does it come in red?");
    EXPECT_EQ(page[0]["author"]["user_id"], alice_id);
    ASSERT_GE(page.size(), 2u);
    EXPECT_TRUE(page[1]["author"].is_null()) << "inbound messages have no author";

    // The auto-template route quotes too; without reply_to nothing is quoted.
    auto automatic = send("/messages/send-with-auto-template",
                          {{"conversation_id", id}, {"text", "Anything else?"}, {"reply_to", question}});
    ASSERT_EQ(automatic.status, 201) << automatic.body;
    auto plain = send("/messages/send", {{"conversation_id", id}, {"text", "Thanks!"}, {"reply_to", nullptr}});
    ASSERT_EQ(plain.status, 201) << plain.body;
    EXPECT_TRUE(json_of(plain)["message"]["reply_to"].is_null());
    sent = fake_control.requests("messages");
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[1]["json"]["context"]["message_id"], "wamid.reply-target-1");
    EXPECT_FALSE(sent[2]["json"].contains("context"));
}

TEST_F(ReplySendTest, AReplyTargetMustBeAMessageOfTheConversationThatMetaHas) {
    const auto id = conversation();
    const auto elsewhere = inbound(account_a, conversation(), "wamid.other-conversation");
    auto other = send("/messages/send", {{"conversation_id", id}, {"text", "hi"}, {"reply_to", elsewhere}});
    EXPECT_EQ(other.status, 422) << other.body;
    EXPECT_EQ(json_of(other)["error"]["code"], "validation_failed");

    MessageSpec pending;
    pending.direction = "outbound";
    pending.status = "pending";
    const auto unsent = add_message(account_a, id, pending);
    EXPECT_EQ(send("/messages/send", {{"conversation_id", id}, {"text", "hi"}, {"reply_to", unsent}}).status, 422)
        << "a message Meta does not have cannot be quoted";
    EXPECT_EQ(send("/messages/send", {{"conversation_id", id}, {"text", "hi"}, {"reply_to", "nope"}}).status, 422);
    EXPECT_EQ(send("/messages/send", {{"conversation_id", id}, {"text", "hi"}, {"reply_to", 7}}).status, 422);

    // Bob's conversation: not found, whatever the reply names.
    const auto bobs = conversation(account_b);
    const auto bobs_message = inbound(account_b, bobs, "wamid.bobs");
    EXPECT_EQ(send("/messages/send", {{"conversation_id", bobs}, {"text", "hi"}, {"reply_to", bobs_message}}).status,
              404);
    EXPECT_TRUE(fake_control.requests("messages").empty()) << "nothing refused reached Meta";
}

// Meta may deliver a reply before the message it answers: the reply is stored with only the wamid, and resolves
// (message id and preview) as soon as the target is stored — also through a page cached before it was.
TEST_F(ReplySendTest, AnInboundReplyResolvesWhenItsTargetArrivesLater) {
    const auto id = conversation();
    MessageSpec early;
    early.wa_message_id = "wamid.early-reply";
    early.body = "Yes, that one";
    early.extra_columns = ", reply_to_wa_message_id";
    early.extra_values = ", 'wamid.late-target'";
    const auto reply = add_message(account_a, id, early);

    const auto path = "/conversations/" + id + "/messages";
    auto before = json_of(get(path, alice))["data"];
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0]["reply_to"], (json{{"wa_message_id", "wamid.late-target"}, {"message_id", nullptr},
                                           {"preview", nullptr}}));

    MessageSpec target;
    target.wa_message_id = "wamid.late-target";
    target.type = "image";
    target.body = "The blue one or the red one?";
    target.timestamp = "now() - interval '5 minutes'";
    const auto target_id = add_message(account_a, id, target);

    auto after = json_of(get(path, alice))["data"];
    ASSERT_EQ(after.size(), 2u);
    ASSERT_EQ(after[0]["id"], reply);
    EXPECT_EQ(after[0]["reply_to"]["message_id"], target_id);
    EXPECT_EQ(after[0]["reply_to"]["preview"],
              (json{{"type", "image"}, {"text", "The blue one or the red one?"}}));
}

}  // namespace
}  // namespace inbox::testing
