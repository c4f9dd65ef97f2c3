// Crash safety of the webhook: the server is SIGKILLed while deliveries are in flight and claimed mid-processing.
// Every delivery that got a 200 exists exactly once afterwards (the 200 came after the commit), and the dead
// instance's claims are taken over at once (claims tied to its liveness, migration 0005): everything is processed
// within 5 s of a restart, or on a second instance that was running all along.
#include "app_fixture.hpp"
#include "inbox/auth/webhook_signature.hpp"
#include "raw_http.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kTakeoverBound = 5s;

// The text fixture with its wamid replaced, so each delivery is a different message.
std::string delivery_with_wamid(const std::string& fixture, const std::string& wamid) {
    auto body = nlohmann::json::parse(fixture);
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = wamid;
    return body.dump();
}

int post_delivery(std::uint16_t port, const std::string& body) {
    return http_request(port, "POST", "/webhook/whatsapp", "",
                        {{"Content-Type", "application/json"},
                         {"X-Hub-Signature-256", auth::sign_webhook_body(body, kAppSecret)}},
                        body, std::chrono::seconds(2))
        .status;
}

class WebhookCrash : public ::testing::Test {
protected:
    WebhookCrash() { add_account(db.url(), "Crash", "106540352242922"); }

    std::string unfinished() {
        return db.query_value("SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')");
    }

    // The first delivery creates the contact and its conversation; a transaction of the test then holds that
    // conversation's row, so the server claims the next deliveries but cannot finish them.
    void start_blocking_processing(ServerProcess& server) {
        ASSERT_EQ(post_delivery(server.port(), delivery_with_wamid(fixture, "wamid.crash.first")), 200);
        for (int i = 0; i < 100 && db.query_value("SELECT count(*) FROM conversations") != "1"; ++i) {
            std::this_thread::sleep_for(50ms);
        }
        ASSERT_EQ(db.query_value("SELECT count(*) FROM conversations"), "1");
        blocker_ = std::make_unique<pqxx::connection>(db.url());
        holding_ = std::make_unique<pqxx::work>(*blocker_);
        holding_->exec("SELECT id FROM conversations FOR UPDATE");
    }
    void stop_blocking_processing() {
        holding_->abort();
        holding_.reset();
        blocker_.reset();
    }

    // Eight senders deliver to `server` until at least 60 deliveries were acknowledged and the server has claimed
    // some it cannot finish; then it is SIGKILLed with deliveries still in flight.
    void deliver_then_kill(ServerProcess& server) {
        std::atomic<int> next{0};
        std::atomic<bool> stop{false};
        std::vector<std::thread> senders;
        for (int t = 0; t < 8; ++t) {
            senders.emplace_back([&] {
                while (!stop) {
                    auto wamid = "wamid.crash." + std::to_string(next++);
                    if (post_delivery(server.port(), delivery_with_wamid(fixture, wamid)) == 200) {
                        std::lock_guard lock(mutex_);
                        acknowledged.push_back(wamid);
                    }
                }
            });
        }
        for (int i = 0; i < 500; ++i) {
            std::size_t count = 0;
            {
                std::lock_guard lock(mutex_);
                count = acknowledged.size();
            }
            if (count >= 60 &&
                db.query_value("SELECT count(*) FROM webhook_events WHERE status = 'processing'") != "0") {
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        claimed_at_kill = std::stoi(db.query_value("SELECT count(*) FROM webhook_events WHERE status = 'processing'"));
        server.process().signal(SIGKILL);
        server.process().wait(5s);
        stop = true;
        for (auto& sender : senders) sender.join();
    }

    // How long until nothing is left to process (capped a little past the bound, so a failure is quick).
    std::chrono::milliseconds time_until_all_processed() {
        auto started = std::chrono::steady_clock::now();
        while (unfinished() != "0" && std::chrono::steady_clock::now() - started < kTakeoverBound + 5s) {
            std::this_thread::sleep_for(50ms);
        }
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    }

    void expect_each_acknowledged_delivery_once() {
        ASSERT_GE(acknowledged.size(), 20u) << "too few deliveries before the kill to prove anything";
        EXPECT_EQ(unfinished(), "0");
        for (const auto& wamid : acknowledged) {
            EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE wa_message_id = '" + wamid + "'"), "1")
                << wamid;
        }
        EXPECT_EQ(db.query_value("SELECT count(*) - count(DISTINCT wa_message_id) FROM messages"), "0");
        EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations"),
                  db.query_value("SELECT count(*) FROM messages"));
    }

    TestDatabase db;
    const std::string fixture = text_fixture();
    Environment env = server_env(db.url());
    std::vector<std::string> acknowledged;
    int claimed_at_kill = 0;

private:
    std::mutex mutex_;
    std::unique_ptr<pqxx::connection> blocker_;
    std::unique_ptr<pqxx::work> holding_;
};

TEST_F(WebhookCrash, EveryAcknowledgedDeliveryIsProcessedOnceWithinFiveSecondsOfARestart) {
    {
        ServerProcess server(env);
        ASSERT_TRUE(server.started()) << server.output();
        start_blocking_processing(server);
        deliver_then_kill(server);
        stop_blocking_processing();
    }
    EXPECT_GT(claimed_at_kill, 0) << "the killed server held no claims: the takeover was not exercised";

    ServerProcess restarted(env);
    ASSERT_TRUE(restarted.started()) << restarted.output();
    auto took = time_until_all_processed();
    EXPECT_LE(took, kTakeoverBound) << claimed_at_kill << " events were claimed by the killed server";
    expect_each_acknowledged_delivery_once();
}

TEST_F(WebhookCrash, ASecondInstanceProcessesADeadOnesDeliveriesWithinFiveSeconds) {
    ServerProcess survivor(env);
    ASSERT_TRUE(survivor.started()) << survivor.output();
    {
        ServerProcess victim(env);
        ASSERT_TRUE(victim.started()) << victim.output();
        start_blocking_processing(victim);
        deliver_then_kill(victim);
        stop_blocking_processing();
    }
    EXPECT_GT(claimed_at_kill, 0) << "the killed server held no claims: the takeover was not exercised";
    auto took = time_until_all_processed();
    EXPECT_LE(took, kTakeoverBound) << claimed_at_kill << " events were claimed by the killed server";
    expect_each_acknowledged_delivery_once();
}

}  // namespace
}  // namespace inbox::testing
