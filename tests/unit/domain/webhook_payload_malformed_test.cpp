// normalize_webhook on deliveries that are broken in one place: that element is ignored with a reason, the rest is
// still processed, and nothing throws.
#include <gtest/gtest.h>

#include <functional>

#include "inbox/domain/webhook_payload.hpp"
#include "webhook_fixtures.hpp"

namespace inbox::domain {
namespace {

using nlohmann::json;
using testing::first_value;
using testing::load_webhook;

constexpr const char* kTextBody = "Does it come in another color?";

bool mentions(const IgnoredChange& ignored, std::string_view text) {
    return ignored.reason.find(text) != std::string::npos;
}

// The text fixture with `tamper` applied to its first message; the original message is appended after it, so each
// test shows that a broken sibling does not cost the good one.
json text_fixture_with_broken_message(const std::function<void(json&)>& tamper) {
    json body = load_webhook("text_message");
    json& messages = first_value(body)["messages"];
    json broken = messages[0];
    broken["id"] = "wamid.BROKEN";
    tamper(broken);
    messages.insert(messages.begin(), broken);
    return body;
}

void expect_only_the_good_message_kept(const NormalizedDelivery& delivery) {
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    const AccountChange& change = delivery.account_changes[0];
    ASSERT_EQ(change.messages.size(), 1u);
    EXPECT_EQ(change.messages[0].text, kTextBody);
    EXPECT_EQ(change.contacts.size(), 1u);
}

TEST(NormalizeMalformedWebhook, MessageWithoutIdIsIgnoredAndSiblingKept) {
    const NormalizedDelivery delivery =
        normalize_webhook(text_fixture_with_broken_message([](json& message) { message.erase("id"); }));
    expect_only_the_good_message_kept(delivery);
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "entry[0].changes[0].value.messages[0]")) << delivery.ignored[0].reason;
    EXPECT_TRUE(mentions(delivery.ignored[0], R"(without "id")")) << delivery.ignored[0].reason;
}

TEST(NormalizeMalformedWebhook, TimestampThatIsNotANumberIsIgnoredAndSiblingKept) {
    for (const json& timestamp :
         {json("soon"), json(""), json("-5"), json("17640000.5"), json(1.5), json(nullptr), json::object()}) {
        const NormalizedDelivery delivery = normalize_webhook(
            text_fixture_with_broken_message([&](json& message) { message["timestamp"] = timestamp; }));
        expect_only_the_good_message_kept(delivery);
        ASSERT_EQ(delivery.ignored.size(), 1u) << timestamp;
        EXPECT_TRUE(mentions(delivery.ignored[0], "messages[0]")) << delivery.ignored[0].reason;
        EXPECT_TRUE(mentions(delivery.ignored[0], "timestamp")) << delivery.ignored[0].reason;
    }
}

TEST(NormalizeMalformedWebhook, IntegerTimestampIsAccepted) {
    json body = load_webhook("text_message");
    first_value(body)["messages"][0]["timestamp"] = 1764000000;
    const NormalizedDelivery delivery = normalize_webhook(body);
    EXPECT_TRUE(delivery.ignored.empty());
    ASSERT_EQ(delivery.account_changes.at(0).messages.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].messages[0].timestamp, TimePoint{std::chrono::seconds{1764000000}});
}

TEST(NormalizeMalformedWebhook, MessageWithoutFromOrTypeOrNotAnObjectIsIgnored) {
    const std::function<void(json&)> tampers[] = {
        [](json& message) { message.erase("from"); },         [](json& message) { message["from"] = json::object(); },
        [](json& message) { message.erase("type"); },         [](json& message) { message["type"] = 7; },
        [](json& message) { message = json::array({1, 2}); }, [](json& message) { message = "wamid"; },
    };
    for (const auto& tamper : tampers) {
        const NormalizedDelivery delivery = normalize_webhook(text_fixture_with_broken_message(tamper));
        expect_only_the_good_message_kept(delivery);
        ASSERT_EQ(delivery.ignored.size(), 1u);
        EXPECT_TRUE(mentions(delivery.ignored[0], "messages[0]: ")) << delivery.ignored[0].reason;
    }
}

TEST(NormalizeMalformedWebhook, WrongTypedBodyKeepsMessageWithoutText) {
    json body = load_webhook("text_message");
    first_value(body)["messages"][0]["text"] = "not an object";
    const NormalizedDelivery delivery = normalize_webhook(body);
    EXPECT_TRUE(delivery.ignored.empty());
    const InboundMessage& message = delivery.account_changes.at(0).messages.at(0);
    EXPECT_FALSE(message.text);
    EXPECT_EQ(message.preview, "[text]");
}

TEST(NormalizeMalformedWebhook, NonArrayMessagesIsIgnoredAndContactsKept) {
    json body = load_webhook("text_message");
    json& value = first_value(body);
    value["messages"] = value["messages"][0];  // an object where Meta sends an array

    const NormalizedDelivery delivery = normalize_webhook(body);
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    EXPECT_TRUE(delivery.account_changes[0].messages.empty());
    ASSERT_EQ(delivery.account_changes[0].contacts.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].contacts[0].wa_id, "16505551234");
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "entry[0].changes[0].value.messages: is not an array"))
        << delivery.ignored[0].reason;
}

TEST(NormalizeMalformedWebhook, ContactWithoutWaIdIsIgnoredAndMessageKept) {
    json body = load_webhook("text_message");
    first_value(body)["contacts"].push_back({{"profile", {{"name", "Nobody"}}}});
    const NormalizedDelivery delivery = normalize_webhook(body);
    expect_only_the_good_message_kept(delivery);
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "contacts[1]")) << delivery.ignored[0].reason;
}

TEST(NormalizeMalformedWebhook, UnknownOrIncompleteStatusesAreIgnoredAndOthersKept) {
    json body = load_webhook("status_read");
    json& statuses = first_value(body)["statuses"];
    json deleted = statuses[0];
    deleted["status"] = "deleted";
    json without_id = statuses[0];
    without_id.erase("id");
    json bad_time = statuses[0];
    bad_time["timestamp"] = "yesterday";
    statuses.push_back(deleted);
    statuses.push_back(without_id);
    statuses.push_back(bad_time);

    const NormalizedDelivery delivery = normalize_webhook(body);
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    ASSERT_EQ(delivery.account_changes[0].statuses.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].statuses[0].status, MessageStatus::read);
    ASSERT_EQ(delivery.ignored.size(), 3u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "statuses[1]") && mentions(delivery.ignored[0], "deleted"));
    EXPECT_TRUE(mentions(delivery.ignored[1], "statuses[2]") && mentions(delivery.ignored[1], R"("id")"));
    EXPECT_TRUE(mentions(delivery.ignored[2], "statuses[3]") && mentions(delivery.ignored[2], "timestamp"));
}

TEST(NormalizeMalformedWebhook, ChangeWithoutPhoneNumberIdIsIgnoredAndOtherEntriesKept) {
    json body = load_webhook("batch_two_accounts");
    body["entry"][0]["changes"][0]["value"].erase("metadata");
    const NormalizedDelivery delivery = normalize_webhook(body);
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].phone_number_id, "109876543210987");
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "entry[0].changes[0].value")) << delivery.ignored[0].reason;
    EXPECT_TRUE(mentions(delivery.ignored[0], "phone_number_id")) << delivery.ignored[0].reason;
}

TEST(NormalizeMalformedWebhook, BrokenEntriesAndChangesAreIgnoredOneByOne) {
    json body = load_webhook("text_message");
    const json good_entry = body["entry"][0];
    json entry_with_odd_changes = good_entry;
    entry_with_odd_changes["changes"].push_back("not a change");
    entry_with_odd_changes["changes"].push_back({{"value", {}}});
    entry_with_odd_changes["changes"].push_back({{"field", "messages"}, {"value", 42}});
    body["entry"] = json::array({42, entry_with_odd_changes, {{"id", "1"}}, {{"id", "2"}, {"changes", "x"}}});

    const NormalizedDelivery delivery = normalize_webhook(body);
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].messages.size(), 1u);
    ASSERT_EQ(delivery.ignored.size(), 6u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "entry[0]: "));
    EXPECT_TRUE(mentions(delivery.ignored[1], "entry[1].changes[1]: "));
    EXPECT_TRUE(mentions(delivery.ignored[2], "entry[1].changes[2]: ") && mentions(delivery.ignored[2], "field"));
    EXPECT_TRUE(mentions(delivery.ignored[3], "entry[1].changes[3]: ") && mentions(delivery.ignored[3], "value"));
    EXPECT_TRUE(mentions(delivery.ignored[4], "entry[2]: ") && mentions(delivery.ignored[4], "changes"));
    EXPECT_TRUE(mentions(delivery.ignored[5], "entry[3].changes: is not an array"));
}

TEST(NormalizeMalformedWebhook, OtherObjectIsIgnoredAsAWhole) {
    json body = load_webhook("text_message");
    body["object"] = "instagram";
    const NormalizedDelivery delivery = normalize_webhook(body);
    EXPECT_TRUE(delivery.account_changes.empty());
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "instagram"));
}

TEST(NormalizeMalformedWebhook, BodyThatIsNotAnObjectIsIgnoredGracefully) {
    for (const json& body : {json::array(), json("text"), json(nullptr), json(3), json::object()}) {
        NormalizedDelivery delivery;
        ASSERT_NO_THROW(delivery = normalize_webhook(body)) << body;
        EXPECT_TRUE(delivery.account_changes.empty());
        EXPECT_EQ(delivery.ignored.size(), 1u) << body;
    }
}

TEST(NormalizeMalformedWebhook, TemplateUpdateWithoutEventIsIgnored) {
    json body = load_webhook("template_status_update");
    first_value(body).erase("event");
    const NormalizedDelivery delivery = normalize_webhook(body);
    EXPECT_TRUE(delivery.template_status_changes.empty());
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_TRUE(mentions(delivery.ignored[0], "event"));
}

}  // namespace
}  // namespace inbox::domain
