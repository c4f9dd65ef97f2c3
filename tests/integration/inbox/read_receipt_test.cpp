// Read receipts by policy, typing, and PATCH /accounts/{id} (API.md Part 2, "Read receipts and typing") on a real
// server over a real database, against the fake Graph API. Receipts ride in the background of the request that
// triggers them, so the checks wait for what the fake Graph saw.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fake_graph_test.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ReadReceiptTest : public FakeGraphTest {
protected:
    ReadReceiptTest() : FakeGraphTest(fake_graph_options()) {
        db.execute("UPDATE account_members SET role = 'admin' WHERE user_id = '" + alice_id + "'");
    }

    std::string conversation(const std::string& last_inbound = "now() - interval '1 hour'") {
        return add_conversation(account_a, "now() - interval '1 hour'", "open", 0, last_inbound);
    }
    std::string inbound(const std::string& conversation_id, const std::string& wamid, const std::string& at) {
        MessageSpec spec;
        spec.wa_message_id = wamid;
        spec.timestamp = at;
        return add_message(account_a, conversation_id, spec);
    }
    RawResponse patch_account(const json& body, const std::string& token = "", const std::string& account = "") {
        return http_request(server_.port(), "PATCH", "/accounts/" + (account.empty() ? account_a : account),
                            {{"Authorization", "Bearer " + (token.empty() ? alice : token)},
                             {"Content-Type", "application/json"}},
                            body.dump());
    }
    void set_policy(const std::string& policy) {
        ASSERT_EQ(patch_account({{"read_receipts", policy}}).status, 200);
    }
    // The read receipts Meta got (message ids, with "+typing" for those that carried the indicator).
    std::vector<std::string> receipts() {
        std::vector<std::string> seen;
        for (const auto& request : fake_control.read_receipts()) {
            const auto& body = request["json"];
            seen.push_back(body["message_id"].get<std::string>() + (body.contains("typing_indicator") ? "+typing" : ""));
        }
        return seen;
    }
    std::vector<std::string> receipts_after_settling(std::size_t expected) {
        for (int i = 0; i < 200 && receipts().size() < expected; ++i) std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(100ms);  // and nothing more arrives
        return receipts();
    }
    RawResponse send_text(const std::string& conversation_id, const std::string& text) {
        return post_json(server_.port(), "/messages/send", alice,
                         json{{"conversation_id", conversation_id}, {"text", text}}.dump());
    }
    RawResponse typing(const std::string& conversation_id, const std::string& token = "") {
        return post(("/conversations/" + conversation_id + "/typing").c_str(), token.empty() ? alice : token);
    }
};

TEST_F(ReadReceiptTest, OnReplyIsTheDefaultAndSendsOneReceiptPerNewestInboundMessage) {
    const auto id = conversation();
    inbound(id, "wamid.rr-old", "now() - interval '2 hours'");
    inbound(id, "wamid.rr-newest", "now() - interval '1 hour'");
    ASSERT_EQ(send_text(id, "Thanks, on it").status, 201);
    EXPECT_EQ(receipts_after_settling(1), std::vector<std::string>{"wamid.rr-newest"});
    ASSERT_EQ(send_text(id, "Anything else?").status, 201);
    EXPECT_EQ(receipts_after_settling(1), std::vector<std::string>{"wamid.rr-newest"}) << "once per message";
    // Opening the conversation sends nothing under on_reply.
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    inbound(id, "wamid.rr-later", "now()");
    ASSERT_EQ(send_text(id, "Got it").status, 201);
    EXPECT_EQ(receipts_after_settling(2), (std::vector<std::string>{"wamid.rr-newest", "wamid.rr-later"}));
}

TEST_F(ReadReceiptTest, OnOpenSendsItWhenTheAgentOpensTheConversation) {
    set_policy("on_open");
    const auto id = conversation();
    inbound(id, "wamid.ro-1", "now() - interval '1 hour'");
    ASSERT_EQ(send_text(id, "A reply before opening").status, 201);
    EXPECT_TRUE(receipts_after_settling(0).empty()) << "a send does not send receipts under on_open";
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    EXPECT_EQ(receipts_after_settling(1), std::vector<std::string>{"wamid.ro-1"});
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    EXPECT_EQ(receipts_after_settling(1).size(), 1u);
}

TEST_F(ReadReceiptTest, AReceiptThatFailsNeverFailsTheRequestAndIsSentLater) {
    set_policy("on_open");
    const auto id = conversation();
    inbound(id, "wamid.rf-1", "now() - interval '1 hour'");
    fake_control.fail("messages", {{"status", 503}, {"code", 2}, {"count", 1}});
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    for (int i = 0; i < 200 && fake_control.all_requests("messages").empty(); ++i) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(100ms);
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    EXPECT_EQ(receipts_after_settling(2), (std::vector<std::string>{"wamid.rf-1", "wamid.rf-1"}))
        << "the failed one, then the retry at the next opening";
}

TEST_F(ReadReceiptTest, NeverSendsNoReceiptsAndNoTyping) {
    set_policy("never");
    const auto id = conversation();
    inbound(id, "wamid.rn-1", "now() - interval '1 hour'");
    ASSERT_EQ(send_text(id, "Hello").status, 201);
    ASSERT_EQ(post(("/conversations/" + id + "/read").c_str(), alice).status, 200);
    auto skipped = typing(id);
    ASSERT_EQ(skipped.status, 202) << skipped.body;
    EXPECT_EQ(json_of(skipped), json({{"status", "skipped"}}));
    EXPECT_TRUE(receipts_after_settling(0).empty());
}

TEST_F(ReadReceiptTest, TypingIsSentAtMostOnceEvery20SecondsInsideTheWindow) {
    const auto id = conversation();
    inbound(id, "wamid.rt-1", "now() - interval '1 hour'");
    auto sent = typing(id);
    ASSERT_EQ(sent.status, 202) << sent.body;
    EXPECT_EQ(json_of(sent), json({{"status", "sent"}}));
    EXPECT_EQ(json_of(typing(id)), json({{"status", "skipped"}})) << "within 20 s";
    EXPECT_EQ(receipts(), std::vector<std::string>{"wamid.rt-1+typing"});
    // It marked the message read: the next reply sends no second receipt.
    ASSERT_EQ(send_text(id, "Here you go").status, 201);
    EXPECT_EQ(receipts_after_settling(1).size(), 1u);
    // 20 s later (moved back in the table rather than waited for) it may go again.
    db.execute("UPDATE conversation_receipts SET typing_sent_at = now() - interval '21 seconds'");
    EXPECT_EQ(json_of(typing(id)), json({{"status", "sent"}}));

    const auto closed = conversation("now() - interval '25 hours'");
    inbound(closed, "wamid.rt-old", "now() - interval '25 hours'");
    EXPECT_EQ(json_of(typing(closed)), json({{"status", "skipped"}})) << "outside the window";
    EXPECT_EQ(json_of(typing(conversation("NULL"))), json({{"status", "skipped"}})) << "nothing inbound";
    EXPECT_EQ(typing(id, bob).status, 404);
    EXPECT_EQ(typing("nope").status, 404);
}

TEST_F(ReadReceiptTest, PatchAccountIsForAdminsAndChangesWhatItNames) {
    auto changed = patch_account({{"read_receipts", "on_open"}, {"default_template", "order_update:en_US"},
                                  {"name", "Acme Support"}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    auto account = json_of(changed)["account"];
    EXPECT_EQ(account["read_receipts"], "on_open");
    EXPECT_EQ(account["default_template"], "order_update:en_US");
    EXPECT_EQ(account["name"], "Acme Support");
    // A subset changes only itself; null clears the default template.
    account = json_of(patch_account({{"default_template", nullptr}}))["account"];
    EXPECT_EQ(account["default_template"], nullptr);
    EXPECT_EQ(account["read_receipts"], "on_open");
    EXPECT_EQ(json_of(get("/accounts", alice))["data"][0]["name"], "Acme Support");

    for (const json& bad : {json{{"read_receipts", "always"}}, json{{"default_template", "no-language"}},
                            json{{"default_template", ":en"}}, json{{"name", " "}}, json{{"name", 5}}}) {
        auto refused = patch_account(bad);
        EXPECT_EQ(refused.status, 422) << bad.dump() << ": " << refused.body;
    }
    db.execute("UPDATE account_members SET role = 'agent' WHERE user_id = '" + alice_id + "'");
    auto forbidden = patch_account({{"name", "Mine now"}});
    EXPECT_EQ(forbidden.status, 403) << forbidden.body;
    EXPECT_EQ(json_of(forbidden)["error"]["code"], "forbidden");
    EXPECT_EQ(patch_account({{"name", "B's"}}, "", account_b).status, 404) << "not a member: not found";
    EXPECT_EQ(db.query_value("SELECT name FROM accounts WHERE id = '" + account_a + "'"), "Acme Support");
}

}  // namespace
}  // namespace inbox::testing
