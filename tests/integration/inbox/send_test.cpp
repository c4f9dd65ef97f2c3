// Sending (API.md "Sending") on a real server over a real database, against the fake Graph API run as a child
// process: the window, idempotency, auto-template, Meta's refusals and outages, breakers, the connection pool,
// throttling, statuses that arrive first, live events, interrupted sends, and account isolation.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <mutex>
#include <thread>

#include "fake_graph_test.hpp"
#include "inbox/domain/time.hpp"
#include "test_certificates.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSend = "/messages/send";
constexpr const char* kAutoSend = "/messages/send-with-auto-template";

class SendTest : public FakeGraphTest {
protected:
    explicit SendTest(InboxServerOptions options = with_fake()) : FakeGraphTest(options) {}

    static InboxServerOptions with_fake() {
        auto options = fake_graph_options();
        options.graph_timeout = 1s;
        options.breaker_open = 1s;
        return options;
    }

    // A conversation of account A whose customer wrote `last_inbound` (SQL), i.e. inside the window by default.
    std::string conversation(const std::string& last_inbound = "now() - interval '1 hour'",
                             const std::string& account = "") {
        return add_conversation(account.empty() ? account_a : account, "now() - interval '1 hour'", "open", 0,
                                last_inbound);
    }
    RawResponse send(const std::string& route, const std::string& conversation_id, const std::string& text,
                     const std::optional<std::string>& key = std::nullopt, const std::string& token = "") {
        const json body = {{"conversation_id", conversation_id}, {"text", text}};
        return post_json(server_.port(), route, token.empty() ? alice : token, body.dump(), key);
    }
    std::size_t graph_sends() { return fake_control.requests("messages").size(); }
    std::string count(const std::string& sql) { return db.query_value("SELECT count(*) FROM " + sql); }
    std::string message_column(const std::string& id, const std::string& column) {
        return db.query_value("SELECT " + column + " FROM messages WHERE id = '" + id + "'");
    }

};

TEST_F(SendTest, InsideTheWindowTheTextIsSentAndStored) {
    auto id = conversation();
    auto response = send(kSend, id, "Yes, it comes in red!");
    ASSERT_EQ(response.status, 201) << response.body;
    auto message = json_of(response)["message"];
    EXPECT_EQ(message["conversation_id"], id);
    EXPECT_EQ(message["direction"], "outbound");
    EXPECT_EQ(message["type"], "text");
    EXPECT_EQ(message["text"], "Yes, it comes in red!");
    EXPECT_EQ(message["status"], "sent");
    EXPECT_TRUE(message["wa_message_id"].get<std::string>().starts_with("wamid."));
    EXPECT_EQ(message["error"], nullptr);
    EXPECT_EQ(message["template"], nullptr);
    EXPECT_EQ(json_of(response).size(), 1u);

    const auto stored_id = message["id"].get<std::string>();
    EXPECT_EQ(message_column(stored_id, "status"), "sent");
    EXPECT_EQ(message_column(stored_id, "wa_message_id"), message["wa_message_id"]);

    // Meta got the account's token, the customer's wa_id and the text.
    auto requests = fake_control.requests("messages");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0]["authorization"], "Bearer graph-token-of-a");
    EXPECT_NE(requests[0]["target"].get<std::string>().find("/106540352242922/messages"), std::string::npos);
    const auto wa_id = db.query_value(
        "SELECT ct.wa_id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = '" + id + "'");
    EXPECT_EQ(requests[0]["json"]["to"], wa_id);
    EXPECT_EQ(requests[0]["json"]["type"], "text");
    EXPECT_EQ(requests[0]["json"]["text"]["body"], "Yes, it comes in red!");
    EXPECT_EQ(response.body.find("graph-token-of-a"), std::string::npos);

    // The conversation shows it as its last message (the cached row was dropped).
    auto shown = json_of(get("/conversations/" + id, alice));
    EXPECT_EQ(shown["last_message_preview"], "Yes, it comes in red!");
    EXPECT_EQ(shown["unread_count"], 0);
    EXPECT_EQ(json_of(get("/conversations/" + id + "/messages", alice))["data"][0]["id"], stored_id);
}

TEST_F(SendTest, OutsideTheWindowIs422WithItsExpiryAndNothingIsSentOrStored) {
    auto id = conversation("timestamp '2026-11-20 09:30:00+00'");
    auto response = send(kSend, id, "Hello?");
    ASSERT_EQ(response.status, 422) << response.body;
    auto error = json_of(response)["error"];
    EXPECT_EQ(error["code"], "outside_free_window");
    EXPECT_EQ(error["window_expired_at"], "2026-11-21T09:30:00Z");
    EXPECT_FALSE(error["request_id"].get<std::string>().empty());

    auto never_wrote = conversation("NULL");
    auto silent = send(kSend, never_wrote, "Hello?");
    ASSERT_EQ(silent.status, 422);
    EXPECT_EQ(json_of(silent)["error"]["window_expired_at"], nullptr);

    EXPECT_EQ(graph_sends(), 0u);
    EXPECT_EQ(count("messages WHERE direction = 'outbound'"), "0");
}

// The cache holds the instant the window closes, not "open": a window that closes while cached is refused.
TEST_F(SendTest, AWindowThatClosesWhileCachedIsRefused) {
    auto id = conversation("now() - interval '24 hours' + interval '2 seconds'");
    ASSERT_EQ(send(kSend, id, "just in time").status, 201);
    std::this_thread::sleep_for(2200ms);
    auto late = send(kSend, id, "too late");
    ASSERT_EQ(late.status, 422) << late.body;
    EXPECT_EQ(json_of(late)["error"]["code"], "outside_free_window");
    EXPECT_EQ(graph_sends(), 1u);
}

// The seed's "four sequential round trips" are two here once the window's expiry is cached: the insert (which
// loads the target with the membership check) and the outcome (wamid and parked statuses, in one function call).
TEST_F(SendTest, AWarmSendIsTwoDatabaseRoundTrips) {
    auto id = conversation();
    ASSERT_EQ(send(kSend, id, "first").status, 201);  // cold: the context query caches the window
    const auto before = server_.db_statements();
    ASSERT_EQ(send(kSend, id, "second").status, 201);
    EXPECT_EQ(server_.db_statements() - before, 2u);
}

// The window's closing instant is also remembered in the process: a warm send asks no cache at all.
TEST_F(SendTest, AWarmSendDoesNotAskTheSharedCacheForTheWindow) {
    auto id = conversation();
    ASSERT_EQ(send(kSend, id, "first").status, 201);
    auto window_lookups = [&] {
        return server_.counter("inbox_cache_requests_total",
                               {{"cache", "free_window"}, {"backend", "memory"}, {"result", "hit"}}) +
               server_.counter("inbox_cache_requests_total",
                               {{"cache", "free_window"}, {"backend", "memory"}, {"result", "miss"}});
    };
    const auto before = window_lookups();
    EXPECT_GT(before, 0u) << "the cold send looked the window up";
    ASSERT_EQ(send(kSend, id, "second").status, 201);
    EXPECT_EQ(window_lookups(), before);
}

TEST_F(SendTest, AnInboundMessageReopensAWindowTheCacheHadAsClosed) {
    auto id = conversation("now() - interval '2 days'");
    ASSERT_EQ(send(kSend, id, "closed").status, 422);
    // A webhook stored a new inbound message (its processor erases free_window:{id}; the cache is only trusted
    // when it says open, so no erase is needed for this answer to be right).
    db.execute("UPDATE conversations SET last_inbound_at = now() WHERE id = '" + id + "'");
    EXPECT_EQ(send(kSend, id, "open again").status, 201);
}

TEST_F(SendTest, AutoTemplateInsideTheWindowSendsTheTextItself) {
    auto id = conversation();
    auto response = send(kAutoSend, id, "Happy to help");
    ASSERT_EQ(response.status, 201) << response.body;
    auto body = json_of(response);
    EXPECT_EQ(body["mode"], "text");
    EXPECT_EQ(body["template"], nullptr);
    EXPECT_EQ(body["message"]["type"], "text");
    EXPECT_EQ(body["message"]["text"], "Happy to help");
    EXPECT_EQ(fake_control.requests("messages")[0]["json"]["type"], "text");
}

class AutoTemplateTest : public SendTest {
protected:
    void add_template(const std::string& name, const std::string& status, const std::string& body, int parameters,
                      const std::string& language = "en_US") {
        db.execute(
            "INSERT INTO message_templates (account_id, name, language, category, status, body_text,"
            " parameter_count) VALUES ('" +
            account_a + "', '" + name + "', '" + language + "', 'UTILITY', '" + status + "', " + sql_text(body) + ", " +
            std::to_string(parameters) + ")");
    }
    void set_default_template(const std::string& name, const std::string& language = "en_US") {
        db.execute("UPDATE accounts SET default_template_name = '" + name + "', default_template_language = '" +
                   language + "' WHERE id = '" + account_a + "'");
    }
};

TEST_F(AutoTemplateTest, OutsideTheWindowTheDefaultTemplateIsFilledWithTheText) {
    add_template("alpha", "APPROVED", "Alpha {{1}}", 1);
    add_template("reengage", "APPROVED", "Hi! {{1}} Reply to continue.", 1, "pt_BR");
    set_default_template("reengage", "pt_BR");
    auto id = conversation("now() - interval '3 days'");

    auto response = send(kAutoSend, id, "Your order\nhas shipped");
    ASSERT_EQ(response.status, 201) << response.body;
    auto body = json_of(response);
    EXPECT_EQ(body["mode"], "template");
    EXPECT_EQ(body["template"], json({{"name", "reengage"}, {"language", "pt_BR"}}));
    EXPECT_EQ(body["message"]["type"], "template");
    EXPECT_EQ(body["message"]["template"], body["template"]);
    // What the customer reads: the body filled with the text (line breaks are not allowed in a parameter).
    EXPECT_EQ(body["message"]["text"], "Hi! Your order has shipped Reply to continue.");
    EXPECT_EQ(body["message"]["status"], "sent");

    auto sent = fake_control.requests("messages");
    ASSERT_EQ(sent.size(), 1u);
    const auto& template_json = sent[0]["json"]["template"];
    EXPECT_EQ(sent[0]["json"]["type"], "template");
    EXPECT_EQ(template_json["name"], "reengage");
    EXPECT_EQ(template_json["language"]["code"], "pt_BR");
    EXPECT_EQ(template_json["components"][0]["parameters"][0]["text"], "Your order has shipped");
}

TEST_F(AutoTemplateTest, TemplatesThatCannotTakeTheTextAreSkipped) {
    add_template("reengage", "APPROVED", "Hi {{1}}, order {{2}}", 2);  // the default, but two parameters
    add_template("aaa_pending", "PENDING", "Pending {{1}}", 1);
    add_template("abc_rejected", "REJECTED", "Rejected {{1}}", 1);
    add_template("no_params", "APPROVED", "Plain", 0);
    add_template("zulu", "APPROVED", "Zulu says {{1}}", 1);
    set_default_template("reengage");
    auto response = send(kAutoSend, conversation("now() - interval '3 days'"), "hello");
    ASSERT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(json_of(response)["template"]["name"], "zulu");
    EXPECT_EQ(json_of(response)["message"]["text"], "Zulu says hello");
}

TEST_F(AutoTemplateTest, WithoutStoredTemplatesTheyAreSyncedFromGraphFirst) {
    fake_control.post(
        "templates",
        {{"waba_id", "WABA-A"},
         {"templates",
          json::array({{{"name", "welcome_back"}, {"status", "APPROVED"}, {"body_text", "Welcome back! {{1}}"}}})}});
    auto response = send(kAutoSend, conversation("now() - interval '3 days'"), "We restocked");
    ASSERT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(json_of(response)["template"]["name"], "welcome_back");
    EXPECT_EQ(json_of(response)["message"]["text"], "Welcome back! We restocked");
    auto listed = json_of(get("/accounts/" + account_a + "/templates", alice))["data"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["name"], "welcome_back");
}

TEST_F(AutoTemplateTest, NoUsableTemplateIs422AndOneIsSubmittedForReviewOnceADay) {
    add_template("two_params", "APPROVED", "Hi {{1}} {{2}}", 2);
    auto id = conversation("now() - interval '3 days'");
    for (int i = 0; i < 3; ++i) {
        auto response = send(kAutoSend, id, "hello");
        ASSERT_EQ(response.status, 422) << response.body;
        EXPECT_EQ(json_of(response)["error"]["code"], "no_approved_template");
    }
    EXPECT_EQ(graph_sends(), 0u);
    auto submitted = fake_control.requests("templates");
    std::size_t creations = 0;
    for (const auto& request : submitted) creations += request["method"] == "POST" ? 1 : 0;
    EXPECT_EQ(creations, 1u);

    // Visible under /templates, pending Meta's review.
    auto listed = json_of(get("/accounts/" + account_a + "/templates", alice))["data"];
    ASSERT_EQ(listed.size(), 2u);
    const auto& pending = listed[0]["name"] == "two_params" ? listed[1] : listed[0];
    EXPECT_TRUE(pending["name"].get<std::string>().starts_with("inbox_reengagement_"));
    EXPECT_EQ(pending["status"], "PENDING");
    EXPECT_EQ(pending["parameter_count"], 1);
    EXPECT_FALSE(db.query_value("SELECT template_submitted_at FROM accounts WHERE id = '" + account_a + "'").empty());
}

TEST_F(AutoTemplateTest, ATextTooLongForTheTemplateIs422AndNothingIsSent) {
    add_template("short", "APPROVED", "Hi {{1}}", 1);
    auto response = send(kAutoSend, conversation("now() - interval '3 days'"), std::string(1100, 'a'));
    ASSERT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(json_of(response)["error"]["code"], "validation_failed");
    EXPECT_EQ(graph_sends(), 0u);
}

TEST_F(SendTest, ARepeatedKeyAnswersTheStoredMessageAndSendsNothing) {
    auto id = conversation();
    auto first = send(kSend, id, "Once only", "key-1");
    ASSERT_EQ(first.status, 201) << first.body;
    auto again = send(kSend, id, "Once only", "key-1");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again)["message"], json_of(first)["message"]);
    EXPECT_EQ(graph_sends(), 1u);
    EXPECT_EQ(count("messages WHERE direction = 'outbound'"), "1");

    // The same key for another request is a conflict, not a repeat.
    auto other_text = send(kSend, id, "Something else", "key-1");
    ASSERT_EQ(other_text.status, 409) << other_text.body;
    EXPECT_EQ(json_of(other_text)["error"]["code"], "conflict");
    EXPECT_EQ(send(kAutoSend, id, "Once only", "key-1").status, 409);
    EXPECT_EQ(graph_sends(), 1u);

    // Keys are per account: bob's account may use the same one.
    auto bobs = conversation("now() - interval '1 hour'", account_b);
    EXPECT_EQ(send(kSend, bobs, "Once only", "key-1", bob).status, 201);
}

// A race: between the first request's insert and its in-flight mark, a repeat once took the row for orphaned and
// sent it again. Several rounds, so the window is hit.
TEST_F(SendTest, ConcurrentRequestsWithOneKeySendOneMessage) {
    auto id = conversation();
    fake_control.latency("messages", 200);
    constexpr int kRounds = 3, kRequests = 8;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::thread> threads;
        std::mutex mutex;
        std::vector<int> statuses;
        const auto key = "concurrent-key-" + std::to_string(round);
        for (int i = 0; i < kRequests; ++i) {
            threads.emplace_back([&] {
                auto status = send(kSend, id, "same request", key).status;
                std::lock_guard lock(mutex);
                statuses.push_back(status);
            });
        }
        for (auto& thread : threads) thread.join();
        EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1) << "round " << round;
        EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), kRequests - 1) << "round " << round;
        EXPECT_EQ(graph_sends(), static_cast<std::size_t>(round + 1)) << "round " << round;
    }
    EXPECT_EQ(count("messages WHERE direction = 'outbound'"), std::to_string(kRounds));
}

TEST_F(SendTest, AMalformedIdempotencyKeyIs400) {
    auto id = conversation();
    for (const auto& key : {std::string(""), std::string(129, 'k'), std::string("caf\xC3\xA9")}) {
        auto response = send(kSend, id, "x", key);
        ASSERT_EQ(response.status, 400) << response.body;
        EXPECT_EQ(json_of(response)["error"]["code"], "invalid_parameter");
    }
    EXPECT_EQ(graph_sends(), 0u);
}

TEST_F(SendTest, BadInputIsAnsweredWithTheApiErrorShape) {
    auto id = conversation();
    auto target = [&](const std::string& body, const std::string& type) {
        return http_request(server_.port(), "POST", kSend,
                            {{"Authorization", "Bearer " + alice}, {"Content-Type", type}}, body);
    };
    EXPECT_EQ(target(json({{"conversation_id", id}, {"text", "x"}}).dump(), "text/plain").status, 415);
    auto broken = target("{\"conversation_id\": ", "application/json");
    EXPECT_EQ(broken.status, 400);
    EXPECT_EQ(json_of(broken)["error"]["code"], "invalid_json");
    for (const auto& body :
         {json({{"text", "x"}}), json({{"conversation_id", id}}), json({{"conversation_id", id}, {"text", ""}}),
          json({{"conversation_id", id}, {"text", std::string(4097, 'x')}}),
          json({{"conversation_id", "nope"}, {"text", "x"}})}) {
        auto response = target(body.dump(), "application/json");
        EXPECT_EQ(response.status, 422) << body.dump();
        EXPECT_EQ(json_of(response)["error"]["code"], "validation_failed");
    }
    auto anonymous = http_request(server_.port(), "POST", kSend, {{"Content-Type", "application/json"}}, "{}");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(http_request(server_.port(), "GET", kSend, {{"Authorization", "Bearer " + alice}}).status, 405);
    EXPECT_EQ(graph_sends(), 0u);
}

TEST_F(SendTest, AnotherAccountsConversationIs404AndGraphIsNotCalled) {
    auto id = conversation();
    for (const auto* route : {kSend, kAutoSend}) {
        auto response = send(route, id, "not yours", std::nullopt, bob);
        ASSERT_EQ(response.status, 404) << response.body;
        EXPECT_EQ(json_of(response)["error"]["code"], "not_found");
    }
    // Also once alice's send has cached the window.
    ASSERT_EQ(send(kSend, id, "mine").status, 201);
    EXPECT_EQ(send(kSend, id, "not yours", "k", bob).status, 404);
    EXPECT_EQ(send(kSend, "8a7b6c5d-0000-4000-8000-000000000000", "nothing").status, 404);
    EXPECT_EQ(graph_sends(), 1u);
    EXPECT_EQ(count("messages WHERE direction = 'outbound'"), "1");
}

TEST_F(SendTest, MetasRefusalIs502AndTheMessageIsStoredFailedWithTheError) {
    auto id = conversation();
    fake_control.fail("messages", {{"code", 131026}, {"details", "Message undeliverable"}});
    auto response = send(kSend, id, "hello", "refused-key");
    ASSERT_EQ(response.status, 502) << response.body;
    auto error = json_of(response)["error"];
    EXPECT_EQ(error["code"], "upstream_error");
    EXPECT_EQ(error["graph_error"]["code"], 131026);
    EXPECT_EQ(error["graph_error"]["details"], "Message undeliverable");
    const auto message_id = error["message_id"].get<std::string>();
    EXPECT_EQ(message_column(message_id, "status"), "failed");
    EXPECT_EQ(message_column(message_id, "error->>'code'"), "131026");

    // A repeat answers the stored failure and sends nothing again.
    auto again = send(kSend, id, "hello", "refused-key");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again)["message"]["id"], message_id);
    EXPECT_EQ(json_of(again)["message"]["status"], "failed");
    EXPECT_EQ(json_of(again)["message"]["error"]["code"], 131026);
    EXPECT_EQ(graph_sends(), 1u);

    // Meta's refusals are answers, not outages: the breaker stays closed.
    for (int i = 0; i < 6; ++i) ASSERT_EQ(send(kSend, id, "again " + std::to_string(i)).status, 502);
    EXPECT_EQ(server_.graph().breaker(graph::GraphFamily::messages).state(), graph::BreakerState::closed);
}

TEST_F(SendTest, TimeoutsAnd5xxAre503AndARepeatRetriesTheSameRow) {
    auto id = conversation();
    fake_control.fail("messages", {{"mode", "hang"}});
    auto hung = send(kSend, id, "are you there?", "retry-key");
    ASSERT_EQ(hung.status, 503) << hung.body;
    EXPECT_EQ(json_of(hung)["error"]["code"], "upstream_unavailable");
    EXPECT_GE(std::stoi(hung.header("Retry-After")), 1);
    const auto message_id = json_of(hung)["error"]["message_id"].get<std::string>();
    EXPECT_EQ(message_column(message_id, "status"), "failed");
    EXPECT_EQ(message_column(message_id, "send_retryable"), "t");

    fake_control.fail("messages", {{"status", 500}, {"code", 2}});
    auto broken = send(kSend, id, "are you there?", "retry-key");
    ASSERT_EQ(broken.status, 503) << broken.body;
    EXPECT_EQ(json_of(broken)["error"]["message_id"], message_id);

    fake_control.fail("messages", nullptr);
    auto sent = send(kSend, id, "are you there?", "retry-key");
    ASSERT_EQ(sent.status, 201) << sent.body;
    EXPECT_EQ(json_of(sent)["message"]["id"], message_id);
    EXPECT_EQ(json_of(sent)["message"]["status"], "sent");
    EXPECT_EQ(json_of(sent)["message"]["error"], nullptr);
    EXPECT_EQ(count("messages WHERE direction = 'outbound'"), "1");
    EXPECT_EQ(graph_sends(), 3u);
    EXPECT_EQ(send(kSend, id, "are you there?", "retry-key").status, 200);  // and now it is settled
    EXPECT_EQ(graph_sends(), 3u);
}

TEST_F(SendTest, AnOpenBreakerAnswers503WithoutCallingGraphAndHalfOpenRecovers) {
    auto id = conversation();
    fake_control.fail("messages", {{"status", 503}});
    for (int i = 0; i < 5; ++i) ASSERT_EQ(send(kSend, id, "try " + std::to_string(i)).status, 503);
    EXPECT_EQ(graph_sends(), 5u);
    auto rejected = send(kSend, id, "while open");
    ASSERT_EQ(rejected.status, 503);
    EXPECT_EQ(json_of(rejected)["error"]["code"], "upstream_unavailable");
    EXPECT_GE(std::stoi(rejected.header("Retry-After")), 1);
    EXPECT_EQ(graph_sends(), 5u);  // the open breaker called nothing

    fake_control.fail("messages", nullptr);
    std::this_thread::sleep_for(1100ms);  // this server's breaker stays open for 1 s
    EXPECT_EQ(send(kSend, id, "probe").status, 201);
    EXPECT_EQ(server_.graph().breaker(graph::GraphFamily::messages).state(), graph::BreakerState::closed);
    EXPECT_EQ(send(kSend, id, "closed again").status, 201);
    EXPECT_EQ(graph_sends(), 7u);
}

TEST_F(SendTest, FiftySequentialSendsShareOnePooledConnection) {
    auto id = conversation();
    const auto before = fake_control.stats()["connections_accepted"].get<int>();
    for (int i = 0; i < 50; ++i) ASSERT_EQ(send(kSend, id, "message " + std::to_string(i)).status, 201);
    // One connection of our pool, plus the one this stats request arrives on.
    EXPECT_EQ(fake_control.stats()["connections_accepted"].get<int>() - before, 1 + 1);
    EXPECT_EQ(graph_sends(), 50u);
}

// Meta's status webhooks can overtake its answer to the send: they are parked under the wamid and applied when the
// send records it. The fake's wamids end in a 16-digit hex counter, so the next one is known in advance.
TEST_F(SendTest, StatusesThatArriveBeforeMetasAnswerEndInTheRightState) {
    auto id = conversation();
    auto first = json_of(send(kSend, id, "first"))["message"]["wa_message_id"].get<std::string>();
    const auto counter = std::stoull(first.substr(first.size() - 16), nullptr, 16);
    char next_counter[17];
    std::snprintf(next_counter, sizeof next_counter, "%016llX", counter + 1);
    const auto next = first.substr(0, first.size() - 16) + next_counter;
    db.execute(
        "INSERT INTO parked_statuses (account_id, wa_message_id, status, error, timestamp) VALUES"
        " ('" +
        account_a + "', '" + next +
        "', 'read', NULL, now()),"
        " ('" +
        account_a + "', '" + next +
        "', 'failed', '{\"code\": 131047, \"title\": \"late\"}', now()),"
        " ('" +
        account_a + "', '" + next + "', 'delivered', NULL, now())");
    auto response = send(kSend, id, "second");
    ASSERT_EQ(response.status, 201) << response.body;
    auto message = json_of(response)["message"];
    EXPECT_EQ(message["wa_message_id"], next);
    EXPECT_EQ(message["status"], "read");
    EXPECT_EQ(message["error"]["code"], 131047);  // failed keeps its error, read still wins
    EXPECT_EQ(message_column(message["id"], "status"), "read");
    EXPECT_EQ(count("parked_statuses"), "0");
}

TEST_F(SendTest, SentMessagesAppearOnTheLiveStream) {
    auto id = conversation();
    std::mutex mutex;
    std::vector<services::LiveEvent> events;
    const auto subscription = server_.bus().subscribe([&](const services::LiveEvent& event) {
        std::lock_guard lock(mutex);
        events.push_back(event);
    });
    auto response = send(kSend, id, "live");
    ASSERT_EQ(response.status, 201);
    const auto message_id = json_of(response)["message"]["id"];
    auto has = [&](const std::string& type) {
        std::lock_guard lock(mutex);
        return std::any_of(events.begin(), events.end(), [&](const auto& e) { return e.type == type; });
    };
    for (int i = 0; i < 300 && !(has("message.created") && has("message.updated") && has("conversation.updated"));
         ++i) {
        std::this_thread::sleep_for(10ms);
    }
    server_.bus().unsubscribe(subscription);
    ASSERT_TRUE(has("message.created") && has("message.updated"));
    EXPECT_TRUE(has("conversation.updated"));
    std::lock_guard lock(mutex);
    // Published in commit order: the pending row's notice before the outcome's.
    const auto first_of = [&](const std::string& type) {
        return std::find_if(events.begin(), events.end(), [&](const auto& e) { return e.type == type; });
    };
    EXPECT_LT(first_of("message.created"), first_of("message.updated"));
    for (const auto& event : events) {
        EXPECT_EQ(event.account_id, account_a);
        auto data = json::parse(event.data);
        if (event.type == "message.created") {
            EXPECT_EQ(data["id"], message_id);
        } else if (event.type == "message.updated") {
            EXPECT_EQ(data["id"], message_id);
            EXPECT_EQ(data["status"], "sent");
        } else if (event.type == "conversation.updated") {
            EXPECT_EQ(data["last_message_preview"], "live");
        }
    }
}

TEST_F(SendTest, MetasThroughputThrottlingIs503WithTheBucketsRetryAfter) {
    auto id = conversation();
    fake_control.fail("messages", {{"status", 400}, {"code", 130429}, {"count", 1}});
    auto throttled = send(kSend, id, "busy");
    ASSERT_EQ(throttled.status, 503) << throttled.body;
    EXPECT_EQ(throttled.header("Retry-After"), "1");  // the number's first pause
    // Held back by our own throttle now, without asking Meta (which would answer again).
    auto held = send(kSend, id, "busy again");
    ASSERT_EQ(held.status, 503);
    EXPECT_EQ(held.header("Retry-After"), "1");
    EXPECT_EQ(graph_sends(), 1u);
    EXPECT_EQ(server_.graph().breaker(graph::GraphFamily::messages).state(), graph::BreakerState::closed);
    std::this_thread::sleep_for(1050ms);
    EXPECT_EQ(send(kSend, id, "later").status, 201);
}

class SlowNumberSendTest : public SendTest {
protected:
    SlowNumberSendTest() : SendTest(slow_number()) {}
    static InboxServerOptions slow_number() {
        auto options = with_fake();
        options.send_rate_per_number = 2;
        return options;
    }
};

TEST_F(SlowNumberSendTest, SendsOverTheNumbersRateAre503BeforeMetaIsAsked) {
    auto id = conversation();
    ASSERT_EQ(send(kSend, id, "one").status, 201);
    ASSERT_EQ(send(kSend, id, "two").status, 201);
    auto third = send(kSend, id, "three", "third-key");
    ASSERT_EQ(third.status, 503) << third.body;
    EXPECT_EQ(third.header("Retry-After"), "1");
    EXPECT_EQ(graph_sends(), 2u);
    std::this_thread::sleep_for(600ms);
    auto retried = send(kSend, id, "three", "third-key");  // the same row, once a token is back
    ASSERT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(json_of(retried)["message"]["id"], json_of(third)["error"]["message_id"]);
}

// A crash between the insert and Meta's answer leaves a `pending` row: the sweeper marks it failed, retryable under
// its key (the caller decides whether to send again), never resent by the server itself.
TEST_F(SendTest, InterruptedSendsAreResolvedAsFailedAndRetryableUnderTheirKey) {
    auto id = conversation();
    auto keyed = json_of(send(kSend, id, "keyed", "interrupted-key"))["message"]["id"].get<std::string>();
    auto unkeyed = json_of(send(kSend, id, "unkeyed"))["message"]["id"].get<std::string>();
    auto recent = json_of(send(kSend, id, "recent"))["message"]["id"].get<std::string>();
    db.execute(
        "UPDATE messages SET status = 'pending', wa_message_id = NULL, updated_at = now() - interval '10 minutes'"
        " WHERE id IN ('" +
        keyed + "', '" + unkeyed + "')");
    db.execute("UPDATE messages SET status = 'pending', wa_message_id = NULL WHERE id = '" + recent + "'");

    EXPECT_EQ(server_.sweep_pending_sends(std::chrono::seconds(180)), 2u);
    EXPECT_EQ(message_column(keyed, "status"), "failed");
    EXPECT_EQ(message_column(keyed, "send_retryable"), "t");
    EXPECT_EQ(message_column(keyed, "error->>'title'"), "send interrupted");
    EXPECT_EQ(message_column(unkeyed, "status"), "failed");
    EXPECT_EQ(message_column(unkeyed, "send_retryable"), "f");
    EXPECT_EQ(message_column(recent, "status"), "pending");  // possibly still in flight: left alone
    EXPECT_EQ(graph_sends(), 3u);

    auto retried = send(kSend, id, "keyed", "interrupted-key");
    ASSERT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(json_of(retried)["message"]["id"], keyed);
    EXPECT_EQ(graph_sends(), 4u);
}

// A pending send is taken for lost only when its sender cannot still be sending it: the sender is dead, or it is
// this instance and the send is not in flight here, or it has held the row for 10 minutes. A live sender's slow
// call is never swept from under it (it would answer 201 for a message the sweeper had just failed).
TEST_F(SendTest, APendingSendIsSweptOnlyWhenItsSenderCannotStillBeSendingIt) {
    auto id = conversation();
    auto message = [&](const std::string& text) {
        return json_of(send(kSend, id, text))["message"]["id"].get<std::string>();
    };
    const auto ours = message("ours"), dead = message("dead"), live = message("live"), hung = message("hung");
    // Another instance, alive: it holds its liveness lock on a session of its own.
    constexpr int kLiveOther = 424242, kDeadOther = 434343;
    pqxx::connection other(db.url());
    pqxx::nontransaction(other).exec("SELECT pg_advisory_lock(1364283729, " + std::to_string(kLiveOther) + ")");
    auto pend = [&](const std::string& message_id, std::int32_t claimer, const std::string& age) {
        db.execute("UPDATE messages SET status = 'pending', wa_message_id = NULL, claimed_by = " +
                   std::to_string(claimer) + ", updated_at = now() - interval '" + age + "' WHERE id = '" +
                   message_id + "'");
    };
    pend(ours, server_.claimer_key(), "1 minute");  // ours, and not in flight here (its send has ended)
    pend(dead, kDeadOther, "1 minute");
    pend(live, kLiveOther, "1 minute");
    pend(hung, kLiveOther, "11 minutes");

    EXPECT_EQ(server_.sweep_pending_sends(std::chrono::seconds(30)), 3u);
    EXPECT_EQ(message_column(ours, "status"), "failed");
    EXPECT_EQ(message_column(dead, "status"), "failed");
    EXPECT_EQ(message_column(live, "status"), "pending");
    EXPECT_EQ(message_column(hung, "status"), "failed");
    EXPECT_EQ(message_column(dead, "error->>'title'"), "send interrupted");
}

// HTTPS to the Graph API with a CA made for this test: the chain and the host name are verified.
class TlsSendTest : public InboxFixture {
protected:
    TlsSendTest() : InboxFixture(tls_options(*fake_)) {}

    static void SetUpTestSuite() {
        ca_ = new TestCertificateAuthority();
        auto genuine = ca_->issue("DNS:localhost,IP:127.0.0.1");
        fake_ = new graph::testing::FakeGraphProcess({"--tls-cert", genuine.cert_file, "--tls-key", genuine.key_file});
        // Signed by the same trusted CA, but for another host name.
        auto impostor = ca_->issue("DNS:graph.example.org");
        impostor_ =
            new graph::testing::FakeGraphProcess({"--tls-cert", impostor.cert_file, "--tls-key", impostor.key_file});
    }
    static void TearDownTestSuite() {
        delete fake_;
        delete impostor_;
        delete ca_;
        fake_ = impostor_ = nullptr;
        ca_ = nullptr;
    }
    static InboxServerOptions tls_options(const graph::testing::FakeGraphProcess& graph) {
        InboxServerOptions options;
        options.graph_base = graph.base_url_as("localhost");
        options.graph_ca_file = ca_->ca_file();
        options.graph_timeout = 2s;
        return options;
    }
    RawResponse send_to(InboxServer& server, const std::string& conversation_id) {
        const json body = {{"conversation_id", conversation_id}, {"text", "over tls"}};
        return post_json(server.port(), kSend, alice, body.dump());
    }
    std::string open_conversation() {
        return add_conversation(account_a, "now()", "open", 0, "now() - interval '1 hour'");
    }
    // The fake's record of sends, read over its own TLS (with curl) as `host`, which its certificate names.
    static std::size_t sends_received(const graph::testing::FakeGraphProcess& graph, const std::string& host) {
        const auto port = std::to_string(graph.port());
        const auto command = "curl -sf --cacert " + ca_->ca_file() + " --resolve " + host + ":" + port +
                             ":127.0.0.1 'https://" + host + ":" + port + "/_control/requests?family=messages'";
        std::string out;
        if (FILE* pipe = ::popen(command.c_str(), "r")) {
            char buffer[4096];
            for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
            ::pclose(pipe);
        }
        return json::parse(out)["requests"].size();
    }

    static inline TestCertificateAuthority* ca_ = nullptr;
    static inline graph::testing::FakeGraphProcess* fake_ = nullptr;
    static inline graph::testing::FakeGraphProcess* impostor_ = nullptr;
};

TEST_F(TlsSendTest, SendsOverVerifiedTls) {
    ASSERT_TRUE(fake_->base_url().starts_with("https://"));
    auto response = send_to(server_, open_conversation());
    ASSERT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(json_of(response)["message"]["status"], "sent");
    EXPECT_EQ(sends_received(*fake_, "localhost"), 1u);
}

// The impostor's chain is valid, its name is not: the handshake is refused and nothing (the access token least of
// all) reaches it.
TEST_F(TlsSendTest, AGraphHostWhoseCertificateNamesAnotherHostIsRefused) {
    InboxServer misdirected(db.url(), tls_options(*impostor_));
    auto response = send_to(misdirected, open_conversation());
    ASSERT_EQ(response.status, 503) << response.body;
    EXPECT_EQ(json_of(response)["error"]["code"], "upstream_unavailable");
    EXPECT_EQ(sends_received(*impostor_, "graph.example.org"), 0u);
}

}  // namespace
}  // namespace inbox::testing
