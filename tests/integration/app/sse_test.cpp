// GET /accounts/{id}/events against the real binary: a webhook's message reaches a connected browser within a
// second (through Postgres NOTIFY), access is membership-scoped, and a stalled client is dropped without
// affecting the others.
#include "app_fixture.hpp"
#include "inbox/auth/jwt.hpp"
#include "inbox/auth/webhook_signature.hpp"
#include "raw_http.hpp"
#include "sse_client.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPhoneNumberId = "106540352242922";

HttpResponse post_webhook(std::uint16_t port, const std::string& body) {
    return http_request(port, "POST", "/webhook/whatsapp", "",
                        {{"Content-Type", "application/json"},
                         {"X-Hub-Signature-256", auth::sign_webhook_body(body, kAppSecret)}},
                        body);
}

// The JSON of the first `event: <type>` in an event stream's text.
nlohmann::json first_event_data(const std::string& stream, const std::string& type) {
    auto at = stream.find("event: " + type + "\ndata: ");
    if (at == std::string::npos) return nullptr;
    auto start = stream.find("data: ", at) + 6;
    return nlohmann::json::parse(stream.substr(start, stream.find('\n', start) - start));
}

class SseTest : public ::testing::Test {
protected:
    void SetUp() override {
        account_a = add_account(db.url(), "A", kPhoneNumberId);
        account_b = add_account(db.url(), "B", "109876543210987");
        ASSERT_EQ(cli({"member", "add", "--account", account_a, "--user", "alice"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
        ASSERT_EQ(cli({"member", "add", "--account", account_b, "--user", "bob"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
        server = std::make_unique<ServerProcess>(server_env(db.url()));
        ASSERT_TRUE(server->started()) << server->output();
    }

    std::string events_target(const std::string& account, const std::string& user) {
        return "/accounts/" + account + "/events?access_token=" + token_for(user);
    }

    TestDatabase db;
    std::string account_a;
    std::string account_b;
    std::unique_ptr<ServerProcess> server;
};

TEST_F(SseTest, AWebhookMessageReachesAConnectedClientWithinASecond) {
    SseClient client(server->port(), events_target(account_a, "alice"));
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.read_until_contains(": connected", 5s)) << client.text();
    EXPECT_NE(client.text().find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(client.text().find("text/event-stream"), std::string::npos);

    auto fixture = nlohmann::json::parse(text_fixture());
    auto wamid = fixture["entry"][0]["changes"][0]["value"]["messages"][0]["id"].get<std::string>();
    auto sent = std::chrono::steady_clock::now();
    ASSERT_EQ(post_webhook(server->port(), fixture.dump()).status, 200);
    ASSERT_TRUE(client.read_until_contains("event: conversation.updated", 1s)) << client.text();
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);

    auto message = first_event_data(client.text(), "message.created");
    ASSERT_TRUE(message.is_object()) << client.text();
    EXPECT_EQ(message["wa_message_id"], wamid);
    EXPECT_EQ(message["direction"], "inbound");
    EXPECT_EQ(message["type"], "text");
    auto conversation = first_event_data(client.text(), "conversation.updated");
    ASSERT_TRUE(conversation.is_object()) << client.text();
    EXPECT_EQ(conversation["id"], message["conversation_id"]);
    EXPECT_EQ(conversation["unread_count"], 1);
    EXPECT_EQ(conversation["free_window"]["open"].is_boolean(), true);
}

TEST_F(SseTest, OnlyMembersMayListenAndOnlyToTheirAccount) {
    EXPECT_EQ(http_get(server->port(), "/accounts/" + account_a + "/events").status, 401);
    auto stranger = http_get(server->port(), events_target(account_a, "bob"));
    EXPECT_EQ(stranger.status, 404) << stranger.describe();
    EXPECT_EQ(stranger.json()["error"]["code"], "not_found");

    // Bob listens to his own account and hears nothing of account A's traffic.
    SseClient bob(server->port(), events_target(account_b, "bob"));
    ASSERT_TRUE(bob.read_until_contains(": connected", 5s)) << bob.text();
    SseClient alice(server->port(), events_target(account_a, "alice"));
    ASSERT_TRUE(alice.read_until_contains(": connected", 5s)) << alice.text();
    ASSERT_EQ(post_webhook(server->port(), text_fixture()).status, 200);
    ASSERT_TRUE(alice.read_until_contains("event: message.created", 2s)) << alice.text();
    bob.read_until_contains("event:", 500ms);
    EXPECT_EQ(bob.text().find("event:"), std::string::npos) << bob.text();
}

TEST_F(SseTest, AStalledClientIsDroppedWhileOthersKeepReceiving) {
    SseClient healthy(server->port(), events_target(account_a, "alice"));
    SseClient stalled(server->port(), events_target(account_a, "alice"), /*receive_buffer=*/4096);
    ASSERT_TRUE(healthy.read_until_contains(": connected", 5s)) << healthy.text();
    ASSERT_TRUE(stalled.read_until_contains(": connected", 5s)) << stalled.text();

    // Deliveries of 100 messages with 2 KB texts: far more than kernel buffers and the per-client queue hold.
    auto fixture = nlohmann::json::parse(text_fixture());
    auto message_template = fixture["entry"][0]["changes"][0]["value"]["messages"][0];
    std::size_t sent = 0;
    bool dropped = false;
    for (int delivery = 0; delivery < 40 && !dropped; ++delivery) {
        auto messages = nlohmann::json::array();
        for (int i = 0; i < 100; ++i) {
            auto message = message_template;
            message["id"] = "wamid.stall." + std::to_string(delivery) + "." + std::to_string(i);
            message["text"]["body"] = std::string(2000, 'x');
            messages.push_back(message);
        }
        fixture["entry"][0]["changes"][0]["value"]["messages"] = messages;
        ASSERT_EQ(post_webhook(server->port(), fixture.dump()).status, 200);
        sent += 100;
        // The healthy client keeps up: it reads everything published so far.
        ASSERT_TRUE(healthy.read_until(
            [&](const std::string& text) { return count_occurrences(text, "event: message.created") == sent; }, 10s))
            << "healthy client got " << count_occurrences(healthy.text(), "event: message.created") << " of " << sent;
        auto metrics = http_get(server->port(), "/metrics").body;
        dropped = metrics.find("inbox_sse_dropped_total 1") != std::string::npos;
    }
    EXPECT_TRUE(dropped) << "the stalled client was never dropped";
    // Its connection is gone: reading now drains what the kernel held, then meets the close.
    EXPECT_TRUE(stalled.wait_closed(10s));
    EXPECT_NE(http_get(server->port(), "/metrics").body.find("inbox_sse_clients 1"), std::string::npos);
}

TEST_F(SseTest, DrainEndsOpenStreamsAndTheServerExits) {
    SseClient client(server->port(), events_target(account_a, "alice"));
    ASSERT_TRUE(client.read_until_contains(": connected", 5s)) << client.text();
    auto stopped = server->stop(SIGTERM, 5s);
    EXPECT_EQ(stopped.exit_code, 0) << stopped.describe();
    EXPECT_TRUE(client.wait_closed(2s));
    EXPECT_NE(client.text().find("0\r\n\r\n"), std::string::npos);  // the chunked body was ended properly
}

// A stream lasts only as long as its token: it ends with session.ended {"reason":"expired"} once exp plus the 60 s
// leeway has passed, without waiting for a ping or an event.
TEST_F(SseTest, AStreamEndsWhenItsTokenExpires) {
    // exp 57 s ago: still valid for ~3 s of leeway.
    const auto token = auth::mint_jwt(kJwtSecret, "alice", std::chrono::seconds(1),
                                      std::chrono::system_clock::now() - std::chrono::seconds(58));
    SseClient client(server->port(), "/accounts/" + account_a + "/events?access_token=" + token);
    ASSERT_TRUE(client.read_until_contains(": connected", 5s)) << client.text();
    const auto opened = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.read_until_contains("event: session.ended", 8s)) << client.text();
    EXPECT_LT(std::chrono::steady_clock::now() - opened, 5s);
    EXPECT_EQ(first_event_data(client.text(), "session.ended"), nlohmann::json({{"reason", "expired"}}));
    EXPECT_TRUE(client.wait_closed(2s));
    // The same token no longer opens a stream.
    EXPECT_EQ(http_get(server->port(), "/accounts/" + account_a + "/events?access_token=" + token).status, 401);
}

// `member remove` ends the user's streams of that account on every instance within 5 s; other users' streams and
// the user's streams of other accounts go on.
TEST_F(SseTest, RemovingAMemberEndsItsStreamsOnEveryInstance) {
    ASSERT_EQ(cli({"member", "add", "--account", account_b, "--user", "alice"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
    ASSERT_EQ(cli({"member", "add", "--account", account_a, "--user", "carol"}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
    ServerProcess second(server_env(db.url()));
    ASSERT_TRUE(second.started()) << second.output();
    SseClient on_first(server->port(), events_target(account_a, "alice"));
    SseClient on_second(second.port(), events_target(account_a, "alice"));
    SseClient other_account(second.port(), events_target(account_b, "alice"));
    SseClient other_user(server->port(), events_target(account_a, "carol"));
    for (auto* client : {&on_first, &on_second, &other_account, &other_user}) {
        ASSERT_TRUE(client->read_until_contains(": connected", 5s)) << client->text();
    }

    auto removed = cli({"member", "remove", "--account", account_a, "--user", "alice"}, {{"DATABASE_URL", db.url()}});
    ASSERT_EQ(removed.exit_code, 0) << removed.describe();
    const auto started = std::chrono::steady_clock::now();
    for (auto* client : {&on_first, &on_second}) {
        ASSERT_TRUE(client->read_until_contains("event: session.ended", 5s)) << client->text();
        EXPECT_EQ(first_event_data(client->text(), "session.ended"), nlohmann::json({{"reason", "removed"}}));
        EXPECT_TRUE(client->wait_closed(2s));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

    // The others still stream: a webhook for account A reaches carol, and alice's stream of B stays open.
    ASSERT_EQ(post_webhook(server->port(), text_fixture()).status, 200);
    EXPECT_TRUE(other_user.read_until_contains("event: message.created", 5s)) << other_user.text();
    EXPECT_FALSE(other_account.read_until_contains("session.ended", 500ms)) << other_account.text();
    EXPECT_FALSE(other_account.closed());
    EXPECT_EQ(http_get(server->port(), events_target(account_a, "alice")).status, 404);
}

}  // namespace
}  // namespace inbox::testing
