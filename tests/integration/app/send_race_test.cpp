// "Never send twice, never wedge": 32 agents send at once to 8 conversations while Meta (fake-graph) posts, before
// answering a share of the sends, a webhook with an inbound message from the same customer and the `sent` and
// `delivered` statuses of the wamid it is about to return. Before the lock order was fixed, a quarter to half of
// such sends answered 503 (the send lane waited out deadlocks) and some 500 (deadlock detected), and a send whose
// outcome was lost could be sent again. Every send must answer 201 exactly once per Idempotency-Key, reach Meta
// exactly once, and end `delivered`, with no status left parked and no deadlock left unretried.
#include "app_fixture.hpp"
#include "fake_graph_process.hpp"
#include "inbox/auth/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <map>
#include <mutex>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kConversations = 8;
constexpr int kSenders = 32;
constexpr int kSendsPerSender = 4;
constexpr int kRounds = 3;
constexpr const char* kRacePhoneNumberId = "106540352242922";

std::string race_inbound_delivery(const std::string& wa_id, const std::string& wamid) {
    auto body = json::parse(text_fixture());
    auto& value = body["entry"][0]["changes"][0]["value"];
    value["contacts"][0]["wa_id"] = wa_id;
    value["messages"][0]["from"] = wa_id;
    value["messages"][0]["id"] = wamid;
    value["messages"][0]["timestamp"] =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    return body.dump();
}

// The server's warning and error lines (what a failure here needs to be understood).
std::string warnings_of(const std::string& output) {
    std::istringstream lines(output);
    std::string kept;
    int count = 0;
    for (std::string line; std::getline(lines, line) && count < 40;) {
        if (line.find(" warn") != std::string::npos || line.find(" error") != std::string::npos) {
            kept += line + "\n";
            ++count;
        }
    }
    return kept;
}

int post_race_delivery(std::uint16_t port, const std::string& body) {
    return http_request(port, "POST", "/webhook/whatsapp", "",
                        {{"Content-Type", "application/json"},
                         {"X-Hub-Signature-256", auth::sign_webhook_body(body, kAppSecret)}},
                        body, 5s)
        .status;
}

// What one Idempotency-Key got: the answers in order.
struct KeyOutcome {
    std::vector<int> statuses;
    std::string message_id;
};

class SendRace : public ::testing::Test {
protected:
    void SetUp() override {
        account_ = add_account(db_.url(), "Race", kRacePhoneNumberId);
        ASSERT_EQ(cli({"member", "add", "--account", account_, "--user", "agent"}, {{"DATABASE_URL", db_.url()}}).exit_code,
                  0);
        auto env = server_env(db_.url());
        env["GRAPH_API_BASE"] = fake_.base_url();
        env["IO_THREADS"] = "2";
        env["DB_POOL_SIZE"] = "4";
        // Above what 32 senders reach here: Meta's own 80 messages/s per number would refuse some sends (503 by
        // design, OutboundThrottle), and this test is about the database.
        env["SEND_RATE_PER_NUMBER"] = "5000";
        server_ = std::make_unique<ServerProcess>(env);
        ASSERT_TRUE(server_->started()) << server_->output();
        // Meta posts back to this server: before answering half of the sends (inbound message and both statuses
        // of the wamid it is about to return), after answering the others (their statuses).
        const json knobs{{"record_limit", 100000},
                         {"webhooks",
                          {{"url", "http://127.0.0.1:" + std::to_string(server_->port()) + "/webhook/whatsapp"},
                           {"app_secret", kAppSecret},
                           {"before_answer_rate", 0.5},
                           {"after_delay_ms", 5}}}};
        ASSERT_EQ(http_request(fake_.port(), "POST", "/_control/knobs", "", {{"Content-Type", "application/json"}},
                               knobs.dump())
                      .status,
                  200);
        for (int c = 0; c < kConversations; ++c) {
            ASSERT_EQ(post_race_delivery(server_->port(), race_inbound_delivery(wa_id(c), "wamid.race.open." + wa_id(c))),
                      200);
        }
        for (int i = 0; i < 200 && db_.query_value("SELECT count(*) FROM conversations") != std::to_string(kConversations); ++i) {
            std::this_thread::sleep_for(25ms);
        }
        auto rows = db_.query_column("SELECT id::text FROM conversations ORDER BY id");
        ASSERT_EQ(rows.size(), static_cast<std::size_t>(kConversations));
        conversations_ = rows;
        token_ = token_for("agent");
    }

    static std::string wa_id(int c) { return "1650555" + std::to_string(1000 + c); }

    // One send under `key`, repeated after a 503 as the contract allows (same key, after Retry-After).
    KeyOutcome send_until_answered(const std::string& conversation, const std::string& key) {
        KeyOutcome outcome;
        const json body{{"conversation_id", conversation}, {"text", "answer " + key}};
        for (int attempt = 0; attempt < 30; ++attempt) {
            auto response = http_request(server_->port(), "POST", "/messages/send", token_,
                                         {{"Content-Type", "application/json"}, {"Idempotency-Key", key}}, body.dump(),
                                         15s);
            outcome.statuses.push_back(response.status);
            if (response.status == 201 || response.status == 200) {
                outcome.message_id = response.json()["message"]["id"];
            }
            if (response.status != 503) break;
            std::this_thread::sleep_for(std::chrono::seconds(std::max(1, std::atoi(response.header("retry-after").c_str()))));
        }
        return outcome;
    }

    std::uint64_t metric(const std::string& line_prefix) {
        auto metrics = http_get(server_->port(), "/metrics").body;
        std::uint64_t total = 0;
        std::istringstream lines(metrics);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind(line_prefix, 0) == 0) total += std::stoull(line.substr(line.rfind(' ') + 1));
        }
        return total;
    }

    TestDatabase db_;
    graph::testing::FakeGraphProcess fake_;
    std::unique_ptr<ServerProcess> server_;
    std::string account_;
    std::string token_;
    std::vector<std::string> conversations_;
};

TEST_F(SendRace, ThirtyTwoSendersAgainstWebhooksSendEachMessageOnceAndNeverFail) {
    std::mutex mutex;
    std::map<std::string, KeyOutcome> outcomes;
    for (int round = 0; round < kRounds; ++round) {
        std::barrier start(kSenders);
        std::vector<std::thread> senders;
        for (int s = 0; s < kSenders; ++s) {
            senders.emplace_back([&, s] {
                start.arrive_and_wait();
                for (int n = 0; n < kSendsPerSender; ++n) {
                    const auto key = "race-" + std::to_string(round) + "-" + std::to_string(s) + "-" + std::to_string(n);
                    auto outcome = send_until_answered(conversations_[(s + n) % kConversations], key);
                    std::lock_guard lock(mutex);
                    outcomes[key] = std::move(outcome);
                }
            });
        }
        for (auto& sender : senders) sender.join();
    }

    const std::size_t expected = kRounds * kSenders * kSendsPerSender;
    ASSERT_EQ(outcomes.size(), expected);
    std::map<int, int> answers;
    std::set<std::string> message_ids;
    for (const auto& [key, outcome] : outcomes) {
        for (int status : outcome.statuses) ++answers[status];
        EXPECT_EQ(std::count(outcome.statuses.begin(), outcome.statuses.end(), 201), 1) << key;
        EXPECT_EQ(outcome.statuses.back(), 201) << key;
        message_ids.insert(outcome.message_id);
    }
    if (const char* dump = std::getenv("SEND_RACE_LOG")) std::ofstream(dump) << server_->output();
    EXPECT_EQ(answers[500], 0);
    EXPECT_EQ(answers[503], 0) << "no send waits out another transaction's locks\n" << warnings_of(server_->output());
    EXPECT_EQ(message_ids.size(), expected);

    // Meta got each message exactly once (our message id rides along as biz_opaque_callback_data).
    auto recorded = json::parse(http_request(fake_.port(), "GET", "/_control/requests?family=messages").body);
    std::map<std::string, int> sent_to_meta;
    for (const auto& request : recorded["requests"]) {
        if (request["json"].value("status", "") == "read") continue;  // a read receipt beside a send, not a message
        ++sent_to_meta[request["json"].value("biz_opaque_callback_data", "")];
    }
    EXPECT_EQ(sent_to_meta.size(), expected);
    for (const auto& id : message_ids) EXPECT_EQ(sent_to_meta[id], 1) << id;

    // Every status reached its message: nothing parked, every message delivered.
    std::string undelivered;
    for (int i = 0; i < 400; ++i) {
        undelivered = db_.query_value(
            "SELECT count(*) FROM messages WHERE direction = 'outbound' AND status <> 'delivered'");
        if (undelivered == "0") break;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(undelivered, "0");
    EXPECT_EQ(db_.query_value("SELECT count(*) FROM parked_statuses"), "0");
    EXPECT_EQ(db_.query_value("SELECT count(*) FROM webhook_events WHERE status NOT IN ('processed', 'ignored')"), "0");
    // Every conversation shows its newest message, whoever moved it.
    EXPECT_EQ(db_.query_value("SELECT count(*) FROM conversations c WHERE c.last_message_at < (SELECT max(m.timestamp)"
                              " FROM messages m WHERE m.conversation_id = c.id)"),
              "0");
    EXPECT_EQ(metric("inbox_db_transaction_retries_exhausted_total"), 0u);
    EXPECT_EQ(metric("inbox_sends_superseded_total"), 0u);
    EXPECT_EQ(metric("inbox_http_requests_total{route=\"/messages/send\",method=\"POST\",status=\"500\""), 0u);
}

}  // namespace
}  // namespace inbox::testing
