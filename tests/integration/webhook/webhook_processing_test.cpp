// Background processing of committed deliveries, end to end: HTTP → durable inbox → processor → domain tables.
#include "inbox/auth/webhook_signature.hpp"
#include "inbox/storage/inbound_repository.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/notification_listener.hpp"
#include "inbox/storage/outbound_repository.hpp"
#include "test_database.hpp"
#include "webhook_test_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <thread>

namespace inbox {
namespace {

using testing::post_signed_fixture;

constexpr const char* kStatusWamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
constexpr const char* kTextWamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";

// The live notices every instance gets (Postgres NOTIFY on the live channel), decoded, from construction on.
class NoticeRecorder {
public:
    explicit NoticeRecorder(const std::string& database_url)
        : listener_(database_url, std::string(storage::kLiveChannel), [this](const std::string& payload) {
              auto notice = storage::decode_live_notice(payload);
              ASSERT_TRUE(notice) << payload;
              std::lock_guard lock(mutex_);
              notices_.push_back(*notice);
          }) {
        listener_.start();
    }
    bool listening() { return listener_.listening(); }
    std::vector<storage::LiveNotice> notices() {
        std::lock_guard lock(mutex_);
        return notices_;
    }

private:
    std::mutex mutex_;
    std::vector<storage::LiveNotice> notices_;
    storage::NotificationListener listener_;
};

class WebhookProcessingTest : public ::testing::Test {
protected:
    void SetUp() override {
        account_a = db.query_value(
            "INSERT INTO accounts (name, phone_number_id, waba_id, access_token) VALUES"
            " ('A', '106540352242922', '102290129340398', 'token-a') RETURNING id");
        account_b = db.query_value(
            "INSERT INTO accounts (name, phone_number_id, waba_id, access_token) VALUES"
            " ('B', '109876543210987', '104455667788990', 'token-b') RETURNING id");
    }

    void deliver(const std::string& fixture_name) {
        ASSERT_EQ(post_signed_fixture(server.port(), fixture_name).status, 200) << fixture_name;
    }

    // Every committed delivery has been processed (or given up).
    void wait_until_processed() {
        for (int i = 0; i < 200; ++i) {
            if (db.query_value("SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')") == "0") {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        FAIL() << "deliveries still unprocessed after 5 s";
    }

    template <typename Predicate>
    static bool eventually(Predicate predicate) {
        for (int i = 0; i < 200 && !predicate(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
        return predicate();
    }

    std::string message_field(const std::string& wamid, const std::string& column) {
        return db.query_value("SELECT " + column + " FROM messages WHERE wa_message_id = '" + wamid + "'");
    }

    // An outbound message of account A that the four status fixtures talk about.
    std::string insert_outbound(const std::optional<std::string>& wamid) {
        auto contact = db.query_value("INSERT INTO contacts (account_id, wa_id) VALUES ('" + account_a +
                                      "', '16505551234') ON CONFLICT (account_id, wa_id) DO UPDATE SET wa_id = EXCLUDED.wa_id RETURNING id");
        auto conversation = db.query_value(
            "INSERT INTO conversations (account_id, contact_id) VALUES ('" + account_a + "', '" + contact +
            "') ON CONFLICT (contact_id) WHERE status = 'open' DO UPDATE SET status = 'open' RETURNING id");
        return db.query_value(
            "INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, status, timestamp)"
            " VALUES ('" + account_a + "', '" + conversation + "', " + (wamid ? "'" + *wamid + "'" : "NULL") +
            ", 'outbound', 'text', 'hi', 'pending', now()) RETURNING id");
    }

    testing::TestDatabase db;
    testing::WebhookServer server{db.url(), /*process=*/true};
    std::string account_a;
    std::string account_b;
};

TEST_F(WebhookProcessingTest, TextMessageCreatesContactConversationAndMessage) {
    deliver("text_message.json");
    wait_until_processed();
    EXPECT_EQ(message_field(kTextWamid, "direction"), "inbound");
    EXPECT_EQ(message_field(kTextWamid, "type"), "text");
    EXPECT_FALSE(message_field(kTextWamid, "body").empty());
    EXPECT_EQ(message_field(kTextWamid, "status"), "received");
    EXPECT_EQ(message_field(kTextWamid, "account_id"), account_a);
    // Meta's timestamp, not our arrival time.
    auto body = nlohmann::json::parse(testing::fixture("text_message.json"));
    auto meta_time = body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"].get<std::string>();
    EXPECT_EQ(message_field(kTextWamid, "extract(epoch FROM timestamp)::bigint"), meta_time);
    EXPECT_EQ(db.query_value("SELECT profile_name FROM contacts WHERE wa_id = '16505551234'"),
              body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"].get<std::string>());
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations"), "1");
    EXPECT_EQ(db.query_value("SELECT extract(epoch FROM last_inbound_at)::bigint FROM conversations"), meta_time);
    EXPECT_EQ(db.query_value("SELECT last_message_preview FROM conversations"), message_field(kTextWamid, "body"));
    EXPECT_EQ(db.query_value("SELECT status FROM webhook_events"), "processed");
}

TEST_F(WebhookProcessingTest, EveryMessageFixtureIsStoredWithItsContent) {
    struct Expected {
        const char* fixture;
        const char* type;
        bool has_text;
        bool has_media;
    };
    const Expected cases[] = {
        {"text_message.json", "text", true, false},
        {"image_message.json", "image", true, true},
        {"document_message.json", "document", false, true},
        {"audio_voice_message.json", "audio", false, true},
        {"location_message.json", "location", false, false},
        {"reaction_message.json", "reaction", false, false},
        {"interactive_button_reply.json", "interactive", true, false},
        {"unsupported_message.json", "unsupported", false, false},
    };
    for (const auto& expected : cases) {
        auto body = nlohmann::json::parse(testing::fixture(expected.fixture));
        auto wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"].get<std::string>();
        deliver(expected.fixture);
        wait_until_processed();
        SCOPED_TRACE(expected.fixture);
        EXPECT_EQ(message_field(wamid, "type"), expected.type);
        if (expected.has_text) {
            EXPECT_FALSE(message_field(wamid, "body").empty());
        }
        EXPECT_EQ(message_field(wamid, "media_id IS NOT NULL"), expected.has_media ? "t" : "f");
        if (expected.has_media) {
            EXPECT_EQ(message_field(wamid, "media_state"), "pending");
            EXPECT_EQ(db.query_value("SELECT count(*) FROM jobs WHERE kind = 'media_download' AND dedupe_key = '" +
                                     message_field(wamid, "id") + "'"),
                      "1");
        }
    }
    EXPECT_EQ(message_field("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "content::text"), "{}");
    // Location and reaction keep their type-specific content.
    auto location = nlohmann::json::parse(testing::fixture("location_message.json"));
    auto location_wamid = location["entry"][0]["changes"][0]["value"]["messages"][0]["id"].get<std::string>();
    EXPECT_NE(message_field(location_wamid, "content->>'latitude'"), "");
    EXPECT_EQ(message_field(location_wamid, "body"), "");
    auto unsupported = nlohmann::json::parse(testing::fixture("unsupported_message.json"));
    auto unsupported_wamid = unsupported["entry"][0]["changes"][0]["value"]["messages"][0]["id"].get<std::string>();
    EXPECT_NE(message_field(unsupported_wamid, "error->>'code'"), "");
    auto reply = nlohmann::json::parse(testing::fixture("interactive_button_reply.json"));
    auto reply_message = reply["entry"][0]["changes"][0]["value"]["messages"][0];
    EXPECT_EQ(message_field(reply_message["id"].get<std::string>(), "reply_to_wa_message_id"),
              reply_message["context"]["id"].get<std::string>());
}

TEST_F(WebhookProcessingTest, TheSameDeliverySentThreeTimesConcurrentlyYieldsOneMessage) {
    std::vector<std::future<int>> answers;
    for (int i = 0; i < 3; ++i) {
        answers.push_back(std::async(std::launch::async,
                                     [&] { return post_signed_fixture(server.port(), "text_message.json").status; }));
    }
    for (auto& answer : answers) EXPECT_EQ(answer.get(), 200);
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages"), "1");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM conversations"), "1");
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations"), "1");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM webhook_events WHERE status = 'processed'"), "3");
}

TEST_F(WebhookProcessingTest, AllTwentyFourOrdersOfTheFourStatusesEndInReadWithTheErrorKept) {
    auto message_id = insert_outbound(std::string(kStatusWamid));
    std::vector<std::string> order = {"status_delivered.json", "status_failed.json", "status_read.json",
                                      "status_sent.json"};
    int permutations = 0;
    do {
        db.execute("UPDATE messages SET status = 'pending', error = NULL WHERE id = '" + message_id + "'");
        for (const auto& name : order) deliver(name);
        wait_until_processed();
        SCOPED_TRACE(order[0] + " " + order[1] + " " + order[2] + " " + order[3]);
        EXPECT_EQ(message_field(kStatusWamid, "status"), "read");
        EXPECT_EQ(message_field(kStatusWamid, "error->>'code'"), "131047");
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 24);
}

// Signed, so accepted and never lost; but a shape nobody could process safely is recorded as ignored, not crashed on.
TEST_F(WebhookProcessingTest, ADeeplyNestedDeliveryIsAcknowledgedAndRecordedAsIgnored) {
    std::string deep = R"({"object":"whatsapp_business_account","entry":)" + std::string(100'000, '[') +
                       std::string(100'000, ']') + "}";
    ASSERT_EQ(testing::post_webhook(server.port(), deep, auth::sign_webhook_body(deep, testing::kSecret)).status, 200);
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT status FROM webhook_events"), "ignored");
    EXPECT_EQ(db.query_value("SELECT last_error FROM webhook_events"), "not processed: JSON nested deeper than 64 levels");
}

// A million tiny values (2 MB, within the 4 MiB webhook limit): acknowledged, then refused before any document is
// built, in bounded time and memory.
TEST_F(WebhookProcessingTest, AMillionTinyValuesAreAcknowledgedAndRecordedAsIgnored) {
    std::string many = R"({"object":"whatsapp_business_account","entry":[0)";
    for (int i = 0; i < 1'000'000; ++i) many += ",0";
    many += "]}";
    ASSERT_EQ(testing::post_webhook(server.port(), many, auth::sign_webhook_body(many, testing::kSecret)).status, 200);
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT status FROM webhook_events"), "ignored");
    EXPECT_EQ(db.query_value("SELECT last_error FROM webhook_events"),
              "not processed: JSON with more than 500000 values");
}

// Valid JSON that Postgres cannot hold ("\u0000"): the message is stored with U+FFFD in its place, not lost.
TEST_F(WebhookProcessingTest, ANulCharacterInATextIsStoredAsAReplacementCharacter) {
    auto body = nlohmann::json::parse(testing::fixture("text_message.json"));
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = std::string("red\0blue", 8);
    auto text = body.dump();
    ASSERT_NE(text.find("\\u0000"), std::string::npos);
    ASSERT_EQ(testing::post_webhook(server.port(), text, auth::sign_webhook_body(text, testing::kSecret)).status, 200);
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT status FROM webhook_events"), "processed");
    EXPECT_EQ(message_field(kTextWamid, "body"), "red\xEF\xBF\xBD" "blue");
}

TEST_F(WebhookProcessingTest, FailedOverridesSentAndKeepsMetasError) {
    insert_outbound(std::string(kStatusWamid));
    deliver("status_sent.json");
    deliver("status_failed.json");
    wait_until_processed();
    EXPECT_EQ(message_field(kStatusWamid, "status"), "failed");
    EXPECT_EQ(message_field(kStatusWamid, "error->>'code'"), "131047");
}

TEST_F(WebhookProcessingTest, AStatusBeforeItsMessageIsParkedAndAppliedWhenTheWamidIsStored) {
    deliver("status_read.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM parked_statuses"), "1");
    // Our send stores the wamid after Meta answers: the status that raced ahead is applied then.
    auto message_id = insert_outbound(std::nullopt);
    storage::OutboundRepository outbound(server.pool());
    boost::asio::io_context io;
    auto recorded = boost::asio::co_spawn(io, outbound.record_sent(account_a, message_id, 1, kStatusWamid, "hi"),
                                          boost::asio::use_future);
    io.run();
    EXPECT_EQ(recorded.get().status, "read");
    EXPECT_EQ(message_field(kStatusWamid, "status"), "read");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM parked_statuses"), "0");
}

// Part 2: an inbound reaction stays a message of type reaction and is folded onto its target (here one of ours),
// once however often the delivery comes.
TEST_F(WebhookProcessingTest, AnInboundReactionIsFoldedOntoItsTarget) {
    const auto target = insert_outbound(std::string(kStatusWamid));
    deliver("reaction_message.json");
    deliver("reaction_message.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE type = 'reaction'"), "1");
    const auto reactions = nlohmann::json::parse(message_field(kStatusWamid, "reactions::text"));
    ASSERT_EQ(reactions.size(), 1u) << reactions.dump();
    EXPECT_EQ(reactions[0]["emoji"], "👍");
    EXPECT_EQ(reactions[0]["direction"], "inbound");
    EXPECT_TRUE(reactions[0]["user_id"].is_null());
    EXPECT_EQ(reactions[0]["at"], "2025-11-24T16:05:00Z");  // Meta's timestamp, not our arrival
}

// Our reactions are not messages: their status webhooks are ignored, never parked.
TEST_F(WebhookProcessingTest, StatusesOfOurReactionsAreIgnoredNotParked) {
    const auto reacted_to = insert_outbound(std::string("wamid.some-other-message"));
    db.execute("INSERT INTO sent_reactions (account_id, wa_message_id, message_id) VALUES ('" + account_a + "', '" +
               kStatusWamid + "', '" + reacted_to + "')");
    deliver("status_read.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM parked_statuses"), "0");
    EXPECT_EQ(message_field("wamid.some-other-message", "status"), "pending");
}

TEST_F(WebhookProcessingTest, TheTwoAccountBatchLandsInBothAccounts) {
    deliver("batch_two_accounts.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE account_id = '" + account_a + "'"), "2");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages WHERE account_id = '" + account_b + "'"), "1");
    auto body = nlohmann::json::parse(testing::fixture("batch_two_accounts.json"));
    std::size_t contacts = 0;
    for (const auto& entry : body["entry"]) {
        for (const auto& change : entry["changes"]) contacts += change["value"].value("contacts", nlohmann::json::array()).size();
    }
    EXPECT_EQ(db.query_value("SELECT count(*) FROM contacts"), std::to_string(contacts));
}

TEST_F(WebhookProcessingTest, UnknownNumbersAndOtherFieldsAreRecordedAsIgnored) {
    deliver("unknown_phone_number_id.json");
    deliver("unknown_field_account_update.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM webhook_events WHERE status = 'ignored'"), "2");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM messages"), "0");
    EXPECT_NE(db.query_value("SELECT last_error FROM webhook_events WHERE body LIKE '%999999999999999%'")
                  .find("unknown phone_number_id"),
              std::string::npos);
}

TEST_F(WebhookProcessingTest, TemplateStatusUpdateChangesTheStoredTemplate) {
    db.execute("INSERT INTO message_templates (account_id, wa_template_id, name, language, status) VALUES ('" +
               account_a + "', '594425479261596', 'order_followup', 'en_US', 'PENDING')");
    deliver("template_status_update.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT status FROM message_templates"), "APPROVED");
}

TEST_F(WebhookProcessingTest, ProfileNameIsRefreshedButAnAgentsNameIsKept) {
    deliver("text_message.json");
    wait_until_processed();
    db.execute("UPDATE contacts SET name = 'Set by agent', profile_name = 'old'");
    db.execute("DELETE FROM messages");
    deliver("text_message.json");
    wait_until_processed();
    EXPECT_EQ(db.query_value("SELECT name FROM contacts"), "Set by agent");
    EXPECT_NE(db.query_value("SELECT profile_name FROM contacts"), "old");
}

TEST_F(WebhookProcessingTest, ProcessingNotifiesEveryInstanceOfWhatItChanged) {
    NoticeRecorder recorder(db.url());
    ASSERT_TRUE(eventually([&] { return recorder.listening(); }));

    deliver("text_message.json");
    wait_until_processed();
    auto message_id = message_field(kTextWamid, "id");
    auto conversation_id = message_field(kTextWamid, "conversation_id");
    ASSERT_TRUE(eventually([&] { return !recorder.notices().empty(); }));
    const auto notices = recorder.notices();
    ASSERT_EQ(notices.size(), 1u);  // one NOTIFY for the committed delivery
    EXPECT_EQ(notices[0].account_id, account_a);
    EXPECT_EQ(notices[0].created_message_ids, std::vector<std::string>{message_id});
    EXPECT_EQ(notices[0].conversation_ids, std::vector<std::string>{conversation_id});
    EXPECT_TRUE(notices[0].updated_message_ids.empty());
}

// Part 2: a reply delivered before the message it answers resolves when that message is stored; live clients get
// message.updated for the reply in the same notice as the target's message.created.
TEST_F(WebhookProcessingTest, AReplyThatArrivedFirstIsUpdatedWhenItsTargetIsStored) {
    deliver("interactive_button_reply.json");
    wait_until_processed();
    auto reply_body = nlohmann::json::parse(testing::fixture("interactive_button_reply.json"));
    const auto reply = reply_body["entry"][0]["changes"][0]["value"]["messages"][0];
    const auto target_wamid = reply["context"]["id"].get<std::string>();
    const auto reply_id = message_field(reply["id"].get<std::string>(), "id");

    NoticeRecorder recorder(db.url());
    ASSERT_TRUE(eventually([&] { return recorder.listening(); }));

    // The message it answers, from the same customer, delivered late.
    auto target = nlohmann::json::parse(testing::fixture("text_message.json"));
    auto& message = target["entry"][0]["changes"][0]["value"]["messages"][0];
    message["id"] = target_wamid;
    message["from"] = reply["from"];
    ASSERT_EQ(testing::post_signed(server.port(), target.dump()).status, 200);
    wait_until_processed();
    const auto target_id = message_field(target_wamid, "id");
    ASSERT_TRUE(eventually([&] { return !recorder.notices().empty(); }));
    const auto notices = recorder.notices();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].created_message_ids, std::vector<std::string>{target_id});
    EXPECT_EQ(notices[0].updated_message_ids, std::vector<std::string>{reply_id});
    EXPECT_EQ(db.query_value("SELECT r.id FROM messages m JOIN messages r ON r.account_id = m.account_id"
                             " AND r.wa_message_id = m.reply_to_wa_message_id WHERE m.id = '" + reply_id + "'"),
              target_id);
}

TEST_F(WebhookProcessingTest, EventsCommittedWithoutTheFastPathAreSweptUp) {
    // As after a crash: committed, never handed to a worker.
    auto body = testing::fixture("text_message.json");
    db.execute("INSERT INTO webhook_events (body) VALUES ($json$" + body + "$json$)");
    wait_until_processed();
    EXPECT_EQ(message_field(kTextWamid, "type"), "text");
}

}  // namespace
}  // namespace inbox
