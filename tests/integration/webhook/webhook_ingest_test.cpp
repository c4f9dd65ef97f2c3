// POST /webhook/whatsapp over real sockets into a real Postgres: signature, JSON check, body limit, durable
// commit before the 200, group commit under concurrency, 503 when the database is down.
#include "inbox/auth/webhook_signature.hpp"
#include "raw_http.hpp"
#include "test_database.hpp"
#include "webhook_test_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <thread>

namespace inbox {
namespace {

using testing::RawResponse;
using testing::WebhookServer;
using testing::fixture;
using testing::http_request;
using testing::kOtherAppSecret;
using testing::kSecret;
using testing::post_webhook;

class WebhookIngestTest : public ::testing::Test {
protected:
    testing::TestDatabase db;
    WebhookServer server{db.url()};

    std::string stored_events() { return db.query_value("SELECT count(*) FROM webhook_events"); }
};

TEST_F(WebhookIngestTest, SignedDeliveryIsCommittedVerbatimBeforeThe200) {
    auto body = fixture("text_message.json");
    auto response = post_webhook(server.port(), body, auth::sign_webhook_body(body, kSecret));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"status", "received"}}));
    // Committed by the time the answer arrived: no waiting, no polling.
    EXPECT_EQ(stored_events(), "1");
    EXPECT_EQ(db.query_value("SELECT body FROM webhook_events"), body);
    EXPECT_EQ(db.query_value("SELECT status FROM webhook_events"), "pending");
    EXPECT_EQ(server.committed(), 1);
}

TEST_F(WebhookIngestTest, AnyConfiguredAppSecretIsAccepted) {
    auto body = fixture("status_read.json");
    EXPECT_EQ(post_webhook(server.port(), body, auth::sign_webhook_body(body, kOtherAppSecret)).status, 200);
}

TEST_F(WebhookIngestTest, WrongMissingOrMalformedSignatureIs401AndNothingIsStored) {
    auto body = fixture("text_message.json");
    for (const std::string& signature :
         {auth::sign_webhook_body(body, "wrong-secret"), std::string(), std::string("sha256=zz"),
          auth::sign_webhook_body(body + " ", kSecret)}) {
        auto response = post_webhook(server.port(), body, signature);
        EXPECT_EQ(response.status, 401) << signature;
        EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "invalid_signature");
    }
    EXPECT_EQ(stored_events(), "0");
}

TEST_F(WebhookIngestTest, SignedButInvalidJsonOrNonObjectIs400InvalidJson) {
    for (const std::string& body : {std::string("{not json"), std::string("[1,2]"), std::string("\"text\"")}) {
        auto response = post_webhook(server.port(), body, auth::sign_webhook_body(body, kSecret));
        EXPECT_EQ(response.status, 400) << body;
        EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "invalid_json");
    }
    EXPECT_EQ(stored_events(), "0");
}

TEST_F(WebhookIngestTest, BodiesUpTo4MiBAreAcceptedAndLargerAre413) {
    // A valid JSON object padded to just under 4 MiB.
    std::string big = R"({"object":"whatsapp_business_account","entry":[],"pad":")";
    big += std::string(4 * 1024 * 1024 - big.size() - 2, 'x') + "\"}";
    ASSERT_EQ(big.size(), 4u * 1024 * 1024);
    EXPECT_EQ(post_webhook(server.port(), big, auth::sign_webhook_body(big, kSecret)).status, 200);
    auto too_big = big + " ";
    auto response = post_webhook(server.port(), too_big, auth::sign_webhook_body(too_big, kSecret));
    EXPECT_EQ(response.status, 413);
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "payload_too_large");
    EXPECT_EQ(stored_events(), "1");
}

TEST_F(WebhookIngestTest, ConcurrentDeliveriesAreAllCommittedAndShareBatches) {
    constexpr int kDeliveries = 200;
    auto body = fixture("text_message.json");
    auto signature = auth::sign_webhook_body(body, kSecret);
    std::vector<std::future<int>> answers;
    for (int i = 0; i < kDeliveries; ++i) {
        answers.push_back(std::async(std::launch::async, [&] { return post_webhook(server.port(), body, signature).status; }));
    }
    for (auto& answer : answers) EXPECT_EQ(answer.get(), 200);
    EXPECT_EQ(stored_events(), std::to_string(kDeliveries));
    EXPECT_EQ(server.committed(), kDeliveries);
    // Fewer commits than deliveries: concurrent deliveries were grouped.
    auto metrics = server.metrics();
    auto count_line = metrics.find("inbox_webhook_batch_size_count ");
    ASSERT_NE(count_line, std::string::npos);
    auto batches = std::stoi(metrics.substr(count_line + std::string("inbox_webhook_batch_size_count ").size()));
    EXPECT_LT(batches, kDeliveries);
}

TEST_F(WebhookIngestTest, VerificationHandshakeEchoesTheChallenge) {
    auto response = http_request(server.port(), "GET",
                                 "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "1158201444");
    EXPECT_EQ(response.header("content-type").rfind("text/plain", 0), 0u);
}

TEST_F(WebhookIngestTest, VerificationWithWrongTokenOrModeIsForbidden) {
    for (const char* target : {"/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1",
                               "/webhook/whatsapp?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1",
                               "/webhook/whatsapp?hub.mode=subscribe&hub.challenge=1"}) {
        auto response = http_request(server.port(), "GET", target);
        EXPECT_EQ(response.status, 403) << target;
        EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "forbidden");
    }
}

TEST(WebhookIngestUnavailable, DatabaseDownAnswers503SoMetaRetries) {
    WebhookServer server("postgresql://postgres@127.0.0.1:1/none");
    auto body = fixture("text_message.json");
    auto response = post_webhook(server.port(), body, auth::sign_webhook_body(body, kSecret));
    EXPECT_EQ(response.status, 503);
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "service_unavailable");
    EXPECT_FALSE(response.header("retry-after").empty());
    EXPECT_EQ(server.committed(), 0);
}

}  // namespace
}  // namespace inbox
