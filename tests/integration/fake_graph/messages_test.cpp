// Sending, recording, auth, counters, reset and the contacts lookup of fake-graph.
#include <atomic>
#include <set>
#include <thread>

#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

using nlohmann::json;
using Messages = FakeGraphTest;

TEST_F(Messages, SendReturnsUniqueWamidsAndRecordsBodies) {
    std::set<std::string> wamids;
    for (int i = 0; i < 3; ++i) {
        const auto result = send_text("+1 650-555-123" + std::to_string(i), "text " + std::to_string(i));
        ASSERT_EQ(result.status, 200) << result.body << result.error;
        const auto body = result.json();
        EXPECT_EQ(body["messaging_product"], "whatsapp");
        EXPECT_EQ(body["contacts"][0]["input"], "+1 650-555-123" + std::to_string(i));
        EXPECT_EQ(body["contacts"][0]["wa_id"], "1650555123" + std::to_string(i));
        const auto wamid = body["messages"][0]["id"].get<std::string>();
        EXPECT_TRUE(wamid.starts_with("wamid."));
        wamids.insert(wamid);
    }
    EXPECT_EQ(wamids.size(), 3u);

    const auto recorded = control_get("requests?family=messages")["requests"];
    ASSERT_EQ(recorded.size(), 3u);
    EXPECT_EQ(recorded[1]["method"], "POST");
    EXPECT_EQ(recorded[1]["target"], "/v21.0/106540352242922/messages");
    EXPECT_EQ(recorded[1]["authorization"], std::string("Bearer ") + kToken);
    EXPECT_EQ(recorded[1]["json"]["text"]["body"], "text 1");
    EXPECT_EQ(json::parse(recorded[2]["body"].get<std::string>())["to"], "+1 650-555-1232");
}

TEST_F(Messages, SendWithoutTokenAnswersCode190) {
    const auto result = client().post("/v21.0/1/messages", {{"messaging_product", "whatsapp"}, {"to", "1"}});
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(result.json()["error"]["code"], 190);
}

TEST_F(Messages, ConfiguredAccessTokenMustMatch) {
    control("knobs", {{"access_token", "the-right-one"}});
    EXPECT_EQ(send_text("15550001").status, 401);
    const auto ok = client().post("/v21.0/1/messages", {{"messaging_product", "whatsapp"}, {"to", "1"}},
                                  "the-right-one");
    EXPECT_EQ(ok.status, 200);
}

TEST_F(Messages, SendWithoutRecipientAnswersCode100) {
    const auto result = client().post("/v21.0/1/messages", {{"messaging_product", "whatsapp"}}, kToken);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.json()["error"]["code"], 100);
}

TEST_F(Messages, CountersCountRequestsPerFamilyAndConnections) {
    send_text("1");
    send_text("2");
    client().get("/contacts-lookup/3", kToken);
    auto second = new_client();
    send_text(*second, "4");

    const auto stats = control_get("stats");
    EXPECT_EQ(stats["families"]["messages"]["requests"], 3);
    EXPECT_EQ(stats["families"]["contacts"]["requests"], 1);
    EXPECT_EQ(stats["families"]["templates"]["requests"], 0);
    EXPECT_EQ(stats["connections_accepted"], 2);  // keep-alive: one per client
}

TEST_F(Messages, ResetClearsKnobsCountersAndRecordings) {
    set_failure("messages", {{"code", 131047}});
    EXPECT_EQ(send_text("1").status, 400);
    control("reset", json::object());

    EXPECT_EQ(send_text("1").status, 200);
    const auto stats = control_get("stats");
    EXPECT_EQ(stats["families"]["messages"]["requests"], 1);
    EXPECT_EQ(stats["families"]["messages"]["failures_injected"], 0);
    EXPECT_EQ(control_get("requests")["requests"].size(), 1u);
    EXPECT_EQ(control_get("knobs")["families"]["messages"]["failure"]["mode"], "none");
}

TEST_F(Messages, UnknownKnobIsRefusedAndChangesNothing) {
    const auto result = client().post("/_control/knobs", {{"connection_delay_ms", 5}, {"latncy_ms", 5}});
    EXPECT_EQ(result.status, 400);
    EXPECT_NE(result.json()["error"].get<std::string>().find("latncy_ms"), std::string::npos);
    EXPECT_EQ(control_get("knobs")["connection_delay_ms"], 0);
}

TEST_F(Messages, ContactsLookupAnswersProfileNameAndCanFail) {
    control("contacts", {{"16505551234", "Sheena Nelson"}});
    const auto found = client().get("/contacts-lookup/16505551234", kToken);
    ASSERT_EQ(found.status, 200);
    EXPECT_EQ(found.json(), json({{"wa_id", "16505551234"}, {"profile_name", "Sheena Nelson"}}));

    set_failure("contacts", {{"status", 503}, {"code", 2}, {"count", 1}});
    const auto failed = client().get("/contacts-lookup/16505551234", kToken);
    EXPECT_EQ(failed.status, 503);
    EXPECT_EQ(failed.json()["error"]["code"], 2);
}

TEST_F(Messages, ManyConcurrentKeepAliveConnectionsAllSucceed) {
    constexpr int kThreads = 8, kClientsPerThread = 25, kRequestsPerClient = 10;  // 200 connections
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            std::vector<std::unique_ptr<HttpTestClient>> clients;
            for (int c = 0; c < kClientsPerThread; ++c) clients.push_back(new_client());
            for (int r = 0; r < kRequestsPerClient; ++r) {
                for (auto& c : clients) ok += send_text(*c, "1555000").status == 200 ? 1 : 0;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    constexpr int kTotal = kThreads * kClientsPerThread * kRequestsPerClient;
    EXPECT_EQ(ok.load(), kTotal);
    const auto stats = control_get("stats");
    EXPECT_EQ(stats["families"]["messages"]["requests"], kTotal);
    EXPECT_EQ(stats["connections_accepted"], kThreads * kClientsPerThread + 1);  // + the control client
}

}  // namespace
}  // namespace fake_graph::testing
