// Security over the real binary, Postgres, Redis and the fake Graph API, after a full scenario (webhooks, sends,
// media, contact info, templates, check-media, live events):
//   - the BOLA matrix: every route that takes an id answers another account's objects 404, exactly as unknown ids,
//     and acts on nothing (no Graph call, no state change);
//   - no secret (account access tokens, app secret, JWT secret, media URL secret, verify token) ever appears in
//     an API answer, a log line, /metrics or Redis.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <thread>

#include "app_fixture.hpp"
#include "fake_graph_process.hpp"
#include "inbox/auth/webhook_signature.hpp"
#include "sse_client.hpp"

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kPhoneA = "106540352242922";
constexpr const char* kPhoneB = "109876543210987";

struct Secrets {
    std::string jwt = "sec-jwt-Qm9sYVRlc3RKd3RTZWNyZXQ-0123456789";
    std::string app = "sec-app-7c1f9e0d2b";
    std::string media = "sec-media-url-R2VoZWltU2lnbmF0dXJl-0123456789";
    std::string verify = "sec-verify-5d0b7a";
    std::string token_a = "EAAGsecretTokenOfAccountA9f8e7d6c5b4a";
    std::string token_b = "EAAGsecretTokenOfAccountB1a2b3c4d5e6f";
    std::vector<std::string> all() const { return {jwt, app, media, verify, token_a, token_b}; }
};

std::string read_fixture(const std::string& name) {
    const char* dir = std::getenv("INBOX_FIXTURES_DIR");
    std::ifstream in(std::string(dir && *dir ? dir : INBOX_DEFAULT_FIXTURES_DIR) + "/webhooks/" + name);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// A fixture sent to `phone_number_id`, from `from`, now (so the free window is open), with a wamid of its own.
std::string delivery(const std::string& fixture, const std::string& phone_number_id, const std::string& from,
                     const std::string& wamid) {
    auto body = json::parse(read_fixture(fixture));
    auto& value = body["entry"][0]["changes"][0]["value"];
    value["metadata"]["phone_number_id"] = phone_number_id;
    value["contacts"][0]["wa_id"] = from;
    value["messages"][0]["from"] = from;
    value["messages"][0]["id"] = wamid;
    value["messages"][0]["timestamp"] = std::to_string(std::time(nullptr));
    return body.dump();
}

// What a shell command printed (redis-cli).
std::string command_output(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return out;
    std::array<char, 4096> chunk{};
    while (auto n = std::fread(chunk.data(), 1, chunk.size(), pipe.get())) out.append(chunk.data(), n);
    return out;
}

class SecurityTest : public ::testing::Test {
protected:
    SecurityTest() {
        env = server_env(db.url());
        env["JWT_SECRET"] = secrets.jwt;
        env["WHATSAPP_APP_SECRET"] = secrets.app;
        env["MEDIA_URL_SECRET"] = secrets.media;
        env["WHATSAPP_VERIFY_TOKEN"] = secrets.verify;
        env["GRAPH_API_BASE"] = fake.base_url();
        env["WHATSAPP_CONTACT_LOOKUP_URL"] = fake.base_url() + "/contacts-lookup";
        env["REDIS_URL"] = redis_url;
        env["LOG_LEVEL"] = "debug";  // the most the server ever says
        account_a = add(kPhoneA, secrets.token_a, "alice");
        account_b = add(kPhoneB, secrets.token_b, "bob");
    }

    std::string add(const std::string& phone, const std::string& token, const std::string& user) {
        auto added = cli({"account", "add", "--name", "Account " + phone, "--phone-number-id", phone, "--waba-id",
                          "waba-" + phone, "--access-token", token},
                         {{"DATABASE_URL", db.url()}});
        EXPECT_EQ(added.exit_code, 0) << added.describe();
        auto id = added.out.substr(0, added.out.find('\n'));
        EXPECT_EQ(cli({"member", "add", "--account", id, "--user", user}, {{"DATABASE_URL", db.url()}}).exit_code, 0);
        return id;
    }
    std::string token(const std::string& user) {
        auto minted = cli({"token", "--user", user, "--ttl", "600"}, {{"JWT_SECRET", secrets.jwt}});
        EXPECT_EQ(minted.exit_code, 0) << minted.describe();
        return minted.out.substr(0, minted.out.find('\n'));
    }

    // Every request goes through here, so every answer is scanned for secrets at the end.
    HttpResponse call(const std::string& method, const std::string& target, const std::string& bearer,
                      const std::string& body = "") {
        std::map<std::string, std::string> headers;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        auto response = http_request(server->port(), method, target, bearer, headers, body);
        answers += target + " " + std::to_string(response.status) + "\n";
        for (const auto& [name, value] : response.headers) answers += name + ": " + value + "\n";
        answers += response.body + "\n";
        return response;
    }
    void deliver(const std::string& body) {
        auto response = http_request(
            server->port(), "POST", "/webhook/whatsapp", "",
            {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", auth::sign_webhook_body(body, secrets.app)}},
            body);
        ASSERT_EQ(response.status, 200) << response.describe();
    }
    void wait_processed() {
        for (int i = 0; i < 200; ++i) {
            if (db.query_value("SELECT count(*) FROM webhook_events WHERE status IN ('pending','processing')") == "0") {
                return;
            }
            std::this_thread::sleep_for(25ms);
        }
        FAIL() << "webhooks not processed\n" << server->output();
    }
    int graph_requests(const std::string& family) {
        auto stats = json::parse(http_request(fake.port(), "GET", "/_control/stats").body);
        return stats["families"].contains(family) ? stats["families"][family]["requests"].get<int>() : 0;
    }

    Secrets secrets;
    TestDatabase db;
    graph::testing::FakeGraphProcess fake;
    std::string redis_url = required_env("TEST_REDIS_URL");
    Environment env;
    std::string account_a, account_b;
    std::unique_ptr<ServerProcess> server;
    std::string answers;  // every status line, header and body the server sent
};

TEST_F(SecurityTest, AnotherAccountsObjectsAre404EverywhereAndNoSecretIsEverShown) {
    server = std::make_unique<ServerProcess>(env);
    ASSERT_TRUE(server->started()) << server->output();
    const auto alice = token("alice"), bob = token("bob");

    // --- a scenario on account A (alice), and a conversation of B's own (bob) ---
    deliver(delivery("text_message.json", kPhoneA, "16505550001", "wamid.sec.a.text"));
    deliver(delivery("image_message.json", kPhoneA, "16505550001", "wamid.sec.a.image"));
    deliver(delivery("text_message.json", kPhoneB, "16505550002", "wamid.sec.b.text"));
    wait_processed();
    const auto conversation_a = db.query_value("SELECT id FROM conversations WHERE account_id = '" + account_a + "'");
    const auto conversation_b = db.query_value("SELECT id FROM conversations WHERE account_id = '" + account_b + "'");
    const auto contact_a = db.query_value("SELECT id FROM contacts WHERE account_id = '" + account_a + "'");
    const auto image_a = db.query_value("SELECT id FROM messages WHERE wa_message_id = 'wamid.sec.a.image'");
    const auto text_a = db.query_value("SELECT id FROM messages WHERE wa_message_id = 'wamid.sec.a.text'");
    ASSERT_FALSE(conversation_a.empty() || conversation_b.empty() || contact_a.empty() || image_a.empty());

    const auto send_body = json{{"conversation_id", conversation_a}, {"text", "Yes, in red"}}.dump();
    ASSERT_EQ(call("POST", "/messages/send", alice, send_body).status, 201) << answers;
    ASSERT_EQ(call("POST", "/messages/send-with-auto-template", alice, send_body).status, 201) << answers;
    auto media = call("GET", "/messages/media/" + image_a + "?wait=5", alice);
    ASSERT_EQ(media.status, 302) << media.describe() << "\n" << server->output();
    ASSERT_EQ(call("GET", media.header("location"), "").status, 200);
    EXPECT_EQ(call("GET", "/contacts/" + contact_a + "/whatsapp-info", alice).status, 200);
    EXPECT_EQ(call("POST", "/accounts/" + account_a + "/templates/sync", alice).status, 200);
    EXPECT_EQ(call("POST", "/messages/check-media/" + conversation_a, alice).status, 202);
    EXPECT_EQ(call("GET", "/accounts/" + account_a + "/conversations", alice).status, 200);
    EXPECT_EQ(call("GET", "/conversations/" + conversation_a + "/messages", alice).status, 200);
    {
        SseClient events(server->port(), "/accounts/" + account_a + "/events?access_token=" + alice);
        deliver(delivery("text_message.json", kPhoneA, "16505550001", "wamid.sec.a.live"));
        EXPECT_TRUE(events.read_until_contains("wamid.sec.a.live", 5s)) << events.text();
        answers += events.text();
    }
    wait_processed();

    // --- the BOLA matrix: bob, a member of B only, against every id-taking route with A's ids ---
    const auto sends_before = graph_requests("messages");
    const auto unread_before =
        db.query_value("SELECT unread_count FROM conversations WHERE id = '" + conversation_a + "'");
    const auto jobs_before = db.query_value("SELECT count(*) FROM jobs");
    const auto foreign_send = json{{"conversation_id", conversation_a}, {"text", "hijack"}}.dump();
    const std::vector<std::pair<std::string, std::string>> matrix = {
        {"GET", "/accounts/" + account_a + "/conversations"},
        {"GET", "/accounts/" + account_a + "/conversations?status=all"},
        {"GET", "/accounts/" + account_a + "/templates"},
        {"POST", "/accounts/" + account_a + "/templates/sync"},
        {"GET", "/accounts/" + account_a + "/events"},
        {"GET", "/conversations/" + conversation_a},
        {"GET", "/conversations/" + conversation_a + "/messages"},
        {"GET", "/conversations/" + conversation_a + "/messages?before=" + text_a},
        {"POST", "/conversations/" + conversation_a + "/read"},
        {"GET", "/contacts/" + contact_a + "/whatsapp-info"},
        {"GET", "/messages/media/" + image_a},
        {"GET", "/messages/media/" + image_a + "?wait=1"},
        {"POST", "/messages/check-media/" + conversation_a},
    };
    for (const auto& [method, target] : matrix) {
        auto response = call(method, target, bob);
        EXPECT_EQ(response.status, 404) << method << " " << target << ": " << response.describe();
        if (response.status == 404) {
            EXPECT_EQ(response.json()["error"]["code"], "not_found") << target;
        }
    }
    for (const auto* route : {"/messages/send", "/messages/send-with-auto-template"}) {
        auto response = call("POST", route, bob, foreign_send);
        EXPECT_EQ(response.status, 404) << route << ": " << response.describe();
    }
    // A's ids in B's own routes: a cursor of another conversation is a bad parameter, not a peek.
    EXPECT_EQ(call("GET", "/conversations/" + conversation_b + "/messages?before=" + text_a, bob).status, 400);
    auto listed = call("GET", "/accounts", bob).json()["data"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], account_b);
    // Nothing was acted on.
    EXPECT_EQ(graph_requests("messages"), sends_before) << "bob's sends reached Meta";
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations WHERE id = '" + conversation_a + "'"),
              unread_before);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM jobs"), jobs_before);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE body = 'hijack'"), "0");

    // --- no secret anywhere the server writes ---
    auto metrics = call("GET", "/metrics", "");
    http_request(server->port(), "GET", "/accounts", alice, {{"X-Request-Id", "security-log-probe"}});
    auto stopped = server->stop(SIGTERM);
    EXPECT_EQ(stopped.exit_code, 0);
    const auto logs = server->output();
    ASSERT_NE(logs.find("security-log-probe"), std::string::npos) << "the access log was captured: " << logs;
    std::string redis;
    for (const auto& key : [&] {
             std::vector<std::string> keys;
             std::istringstream lines(command_output("redis-cli -u '" + redis_url + "' --scan 2>/dev/null"));
             for (std::string line; std::getline(lines, line);) keys.push_back(line);
             return keys;
         }()) {
        redis += key + "=" + command_output("redis-cli -u '" + redis_url + "' GET '" + key + "' 2>/dev/null");
    }
    ASSERT_NE(redis.find("media_meta"), std::string::npos) << "Redis was read: " << redis.substr(0, 500);
    for (const auto& secret : secrets.all()) {
        EXPECT_EQ(answers.find(secret), std::string::npos) << "an API answer shows " << secret;
        EXPECT_EQ(logs.find(secret), std::string::npos) << "the logs show " << secret;
        EXPECT_EQ(metrics.body.find(secret), std::string::npos) << "/metrics shows " << secret;
        EXPECT_EQ(redis.find(secret), std::string::npos) << "Redis holds " << secret;
    }
}

}  // namespace
}  // namespace inbox::testing
