// Crash safety of the webhook: the server is SIGKILLed while deliveries are in flight; after a restart, every
// delivery that got a 200 exists exactly once (the 200 came after the commit; the sweeper finishes the work).
#include "app_fixture.hpp"
#include "inbox/auth/webhook_signature.hpp"
#include "raw_http.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace inbox::testing {
namespace {

constexpr const char* kAppSecret = "app-test-whatsapp-app-secret";

// The text fixture with its wamid replaced, so each delivery is a different message.
std::string delivery_with_wamid(const std::string& fixture, const std::string& wamid) {
    auto body = nlohmann::json::parse(fixture);
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = wamid;
    return body.dump();
}

TEST(WebhookCrash, EveryAcknowledgedDeliveryExistsExactlyOnceAfterSigkillAndRestart) {
    TestDatabase db;
    add_account(db.url(), "Crash", "106540352242922");
    auto fixture = text_fixture();
    auto env = server_env(db.url());

    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    {
        ServerProcess server(env);
        ASSERT_TRUE(server.started()) << server.output();
        std::vector<std::thread> senders;
        for (int t = 0; t < 8; ++t) {
            senders.emplace_back([&] {
                while (!stop) {
                    auto wamid = "wamid.crash." + std::to_string(next++);
                    auto body = delivery_with_wamid(fixture, wamid);
                    auto response = http_request(
                        server.port(), "POST", "/webhook/whatsapp", "",
                        {{"Content-Type", "application/json"},
                         {"X-Hub-Signature-256", auth::sign_webhook_body(body, kAppSecret)}},
                        body, std::chrono::seconds(2));
                    if (response.status == 200) {
                        std::lock_guard lock(mutex);
                        acknowledged.push_back(wamid);
                    }
                }
            });
        }
        // Kill while deliveries are being committed and processed.
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard lock(mutex);
                if (acknowledged.size() >= 150) break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        server.process().signal(SIGKILL);
        server.process().wait(std::chrono::seconds(5));
        stop = true;
        for (auto& sender : senders) sender.join();
    }
    ASSERT_GE(acknowledged.size(), 20u) << "too few deliveries before the kill to prove anything";

    // Events the killed process had claimed come back when their 60 s claim expires; let that time pass.
    db.execute("UPDATE webhook_events SET locked_until = now() - interval '1 second' WHERE status = 'processing'");
    ServerProcess restarted(env);
    ASSERT_TRUE(restarted.started()) << restarted.output();
    for (int i = 0; i < 300; ++i) {
        if (db.query_value("SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')") == "0") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(db.query_value("SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')"), "0");
    for (const auto& wamid : acknowledged) {
        EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE wa_message_id = '" + wamid + "'"), "1") << wamid;
    }
    EXPECT_EQ(db.query_value("SELECT count(*) - count(DISTINCT wa_message_id) FROM messages"), "0");
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations"),
              db.query_value("SELECT count(*) FROM messages"));
}

}  // namespace
}  // namespace inbox::testing
