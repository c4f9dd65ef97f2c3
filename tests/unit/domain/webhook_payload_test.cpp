#include "inbox/domain/webhook_payload.hpp"

#include <gtest/gtest.h>

#include "webhook_fixtures.hpp"

namespace inbox::domain {
namespace {

using testing::load_webhook;
using namespace std::chrono_literals;

constexpr const char* kAccountAPhoneNumberId = "106540352242922";
constexpr const char* kAccountAWabaId = "102290129340398";
constexpr const char* kOutboundWamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

TimePoint unix_seconds(std::int64_t seconds) { return TimePoint{std::chrono::seconds{seconds}}; }

// The single message of a single-message fixture, checking the envelope on the way.
InboundMessage only_message(const std::string& fixture) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook(fixture));
    EXPECT_TRUE(delivery.ignored.empty()) << delivery.ignored.front().reason;
    EXPECT_EQ(delivery.account_changes.size(), 1u);
    if (delivery.account_changes.size() != 1 || delivery.account_changes[0].messages.size() != 1) {
        ADD_FAILURE() << fixture << " did not yield exactly one message";
        return {};
    }
    return delivery.account_changes[0].messages[0];
}

StatusUpdate only_status(const std::string& fixture) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook(fixture));
    EXPECT_TRUE(delivery.ignored.empty());
    if (delivery.account_changes.size() != 1 || delivery.account_changes[0].statuses.size() != 1) {
        ADD_FAILURE() << fixture << " did not yield exactly one status";
        return {};
    }
    return delivery.account_changes[0].statuses[0];
}

TEST(NormalizeWebhook, EveryFixtureNormalisesWithoutThrowing) {
    const auto names = testing::all_webhook_fixture_names();
    ASSERT_GE(names.size(), 16u);
    for (const auto& name : names) {
        EXPECT_NO_THROW(normalize_webhook(load_webhook(name))) << name;
    }
}

TEST(NormalizeWebhook, TextMessageYieldsAccountContactAndMessage) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook("text_message"));
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    EXPECT_TRUE(delivery.template_status_changes.empty());
    EXPECT_TRUE(delivery.ignored.empty());
    const AccountChange& change = delivery.account_changes[0];
    EXPECT_EQ(change.phone_number_id, kAccountAPhoneNumberId);
    EXPECT_EQ(change.display_phone_number, "15550783881");
    EXPECT_EQ(change.waba_id, kAccountAWabaId);
    ASSERT_EQ(change.contacts.size(), 1u);
    EXPECT_EQ(change.contacts[0].wa_id, "16505551234");
    EXPECT_EQ(change.contacts[0].profile_name, "Sheena Nelson");
    ASSERT_EQ(change.messages.size(), 1u);
    EXPECT_TRUE(change.statuses.empty());

    const InboundMessage& message = change.messages[0];
    EXPECT_EQ(message.wa_message_id, "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
    EXPECT_EQ(message.from, "16505551234");
    EXPECT_EQ(message.timestamp, unix_seconds(1764000000));
    EXPECT_EQ(message.type, "text");
    EXPECT_EQ(message.text, "Does it come in another color?");
    EXPECT_EQ(message.content, nlohmann::json::object());
    EXPECT_EQ(message.preview, "Does it come in another color?");
    EXPECT_FALSE(message.reply_to_wa_message_id);
    EXPECT_FALSE(message.media);
    EXPECT_FALSE(message.error);
}

TEST(NormalizeWebhook, ImageCaptionBecomesTextAndMediaRefKeepsShaAndMime) {
    const InboundMessage message = only_message("image_message");
    EXPECT_EQ(message.type, "image");
    EXPECT_EQ(message.text, "This one, in red");
    EXPECT_EQ(message.preview, "This one, in red");
    EXPECT_EQ(message.timestamp, unix_seconds(1764000060));
    ASSERT_TRUE(message.media);
    EXPECT_EQ(message.media->media_id, "1003383421387256");
    EXPECT_EQ(message.media->mime_type, "image/jpeg");
    EXPECT_EQ(message.media->sha256, "Ns1fWjBjz0p7ZmC4y+4kFq0qkCkZb6sHc2R1f1Yk8m0=");
    EXPECT_FALSE(message.media->filename);
    EXPECT_FALSE(message.media->voice);
    EXPECT_EQ(message.content.at("id"), "1003383421387256");
}

TEST(NormalizeWebhook, DocumentKeepsFilenameAndCaption) {
    const InboundMessage message = only_message("document_message");
    EXPECT_EQ(message.type, "document");
    EXPECT_EQ(message.text, "Invoice");
    ASSERT_TRUE(message.media);
    EXPECT_EQ(message.media->media_id, "1204476311155370");
    EXPECT_EQ(message.media->mime_type, "application/pdf");
    EXPECT_EQ(message.media->filename, "invoice-2026-11.pdf");
    EXPECT_EQ(message.media->sha256, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
}

TEST(NormalizeWebhook, VoiceNoteIsAudioWithVoiceFlagAndNoText) {
    const InboundMessage message = only_message("audio_voice_message");
    EXPECT_EQ(message.type, "audio");
    EXPECT_FALSE(message.text);
    EXPECT_EQ(message.preview, "[audio]");
    ASSERT_TRUE(message.media);
    EXPECT_TRUE(message.media->voice);
    EXPECT_EQ(message.media->media_id, "2048576014562211");
    EXPECT_EQ(message.media->mime_type, "audio/ogg; codecs=opus");
}

TEST(NormalizeWebhook, LocationHasNoTextAndKeepsCoordinatesAsContent) {
    const InboundMessage message = only_message("location_message");
    EXPECT_EQ(message.type, "location");
    EXPECT_FALSE(message.text);
    EXPECT_EQ(message.preview, "[location]");
    EXPECT_FALSE(message.media);
    EXPECT_DOUBLE_EQ(message.content.at("latitude").get<double>(), 48.8583701);
    EXPECT_DOUBLE_EQ(message.content.at("longitude").get<double>(), 2.2944813);
    EXPECT_EQ(message.content.at("name"), "Tour Eiffel");
}

TEST(NormalizeWebhook, ReactionHasNoTextAndKeepsEmojiAndTargetAsContent) {
    const InboundMessage message = only_message("reaction_message");
    EXPECT_EQ(message.type, "reaction");
    EXPECT_FALSE(message.text);
    EXPECT_EQ(message.preview, "[reaction]");
    EXPECT_EQ(message.content.at("emoji"), "\xF0\x9F\x91\x8D");
    EXPECT_EQ(message.content.at("message_id"), kOutboundWamid);
}

TEST(NormalizeWebhook, InteractiveButtonReplyTitleIsTextAndContextIsReplyTo) {
    const InboundMessage message = only_message("interactive_button_reply");
    EXPECT_EQ(message.type, "interactive");
    EXPECT_EQ(message.text, "Yes, confirm");
    EXPECT_EQ(message.preview, "Yes, confirm");
    EXPECT_EQ(message.reply_to_wa_message_id, kOutboundWamid);
    EXPECT_EQ(message.content.at("type"), "button_reply");
    EXPECT_EQ(message.content.at("button_reply").at("id"), "confirm-order");
}

TEST(NormalizeWebhook, UnsupportedMessageCapturesMetaError) {
    const InboundMessage message = only_message("unsupported_message");
    EXPECT_EQ(message.type, "unsupported");
    EXPECT_FALSE(message.text);
    EXPECT_EQ(message.preview, "[unsupported]");
    ASSERT_TRUE(message.error);
    EXPECT_EQ(message.error->code, 131051);
    EXPECT_EQ(message.error->title, "Message type unknown");
    EXPECT_EQ(message.error->details, "Message type is currently not supported.");
    EXPECT_EQ(message.content, (nlohmann::json{{"type", "poll"}}));
}

TEST(NormalizeWebhook, EachStatusFixtureYieldsOneStatusUpdate) {
    const struct {
        const char* fixture;
        MessageStatus status;
        std::int64_t timestamp;
    } cases[] = {{"status_sent", MessageStatus::sent, 1764000500},
                 {"status_failed", MessageStatus::failed, 1764000501},
                 {"status_delivered", MessageStatus::delivered, 1764000502},
                 {"status_read", MessageStatus::read, 1764000530}};
    for (const auto& c : cases) {
        const StatusUpdate update = only_status(c.fixture);
        EXPECT_EQ(update.wa_message_id, kOutboundWamid) << c.fixture;
        EXPECT_EQ(update.status, c.status) << c.fixture;
        EXPECT_EQ(update.timestamp, unix_seconds(c.timestamp)) << c.fixture;
        EXPECT_EQ(update.recipient_id, "16505551234") << c.fixture;
        EXPECT_EQ(update.error.has_value(), c.status == MessageStatus::failed) << c.fixture;
    }
}

TEST(NormalizeWebhook, FailedStatusCarries131047WithDetails) {
    const StatusUpdate update = only_status("status_failed");
    ASSERT_TRUE(update.error);
    EXPECT_EQ(update.error->code, 131047);
    EXPECT_EQ(update.error->title, "Re-engagement message");
    EXPECT_EQ(update.error->details,
              "Message failed to send because more than 24 hours have passed since the customer last replied to "
              "this number.");
}

TEST(NormalizeWebhook, BatchOfTwoAccountsYieldsEveryContactMessageAndStatus) {
    const nlohmann::json body = load_webhook("batch_two_accounts");
    const NormalizedDelivery delivery = normalize_webhook(body);
    EXPECT_TRUE(delivery.ignored.empty());
    ASSERT_EQ(delivery.account_changes.size(), body["entry"].size());
    ASSERT_EQ(delivery.account_changes.size(), 2u);

    std::size_t expected_contacts = 0, expected_messages = 0, expected_statuses = 0;
    for (const auto& entry : body["entry"]) {
        for (const auto& change : entry["changes"]) {
            const auto& value = change["value"];
            expected_contacts += value.value("contacts", nlohmann::json::array()).size();
            expected_messages += value.value("messages", nlohmann::json::array()).size();
            expected_statuses += value.value("statuses", nlohmann::json::array()).size();
        }
    }
    std::size_t contacts = 0, messages = 0, statuses = 0;
    for (const auto& change : delivery.account_changes) {
        contacts += change.contacts.size();
        messages += change.messages.size();
        statuses += change.statuses.size();
    }
    EXPECT_EQ(contacts, expected_contacts);
    EXPECT_EQ(messages, expected_messages);
    EXPECT_EQ(statuses, expected_statuses);
    EXPECT_EQ(contacts, 3u);
    EXPECT_EQ(messages, 3u);
    EXPECT_EQ(statuses, 1u);

    const AccountChange& first = delivery.account_changes[0];
    const AccountChange& second = delivery.account_changes[1];
    EXPECT_EQ(first.phone_number_id, kAccountAPhoneNumberId);
    EXPECT_EQ(second.phone_number_id, "109876543210987");
    EXPECT_EQ(second.waba_id, "104455667788990");
    EXPECT_EQ(second.display_phone_number, "15550001111");
    ASSERT_EQ(first.messages.size(), 2u);
    EXPECT_EQ(first.messages[1].from, "16505559876");
    EXPECT_EQ(first.messages[1].text, "hello from another customer");
    EXPECT_EQ(first.contacts[1].profile_name, "Rui Costa");
    ASSERT_EQ(second.messages.size(), 1u);
    EXPECT_EQ(second.messages[0].text, "Bonjour");
    EXPECT_EQ(second.contacts[0].profile_name, "Am\xC3\xA9lie Durand");
    EXPECT_EQ(first.statuses[0].status, MessageStatus::delivered);
}

TEST(NormalizeWebhook, TemplateStatusUpdateYieldsTemplateChange) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook("template_status_update"));
    EXPECT_TRUE(delivery.account_changes.empty());
    EXPECT_TRUE(delivery.ignored.empty());
    ASSERT_EQ(delivery.template_status_changes.size(), 1u);
    const TemplateStatusChange& change = delivery.template_status_changes[0];
    EXPECT_EQ(change.waba_id, kAccountAWabaId);
    EXPECT_EQ(change.message_template_id, "594425479261596");
    EXPECT_EQ(change.name, "order_followup");
    EXPECT_EQ(change.language, "en_US");
    EXPECT_EQ(change.event, "APPROVED");
    EXPECT_EQ(change.reason, "NONE");
}

TEST(NormalizeWebhook, UnknownFieldIsIgnoredWithReason) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook("unknown_field_account_update"));
    EXPECT_TRUE(delivery.account_changes.empty());
    EXPECT_TRUE(delivery.template_status_changes.empty());
    ASSERT_EQ(delivery.ignored.size(), 1u);
    EXPECT_NE(delivery.ignored[0].reason.find("account_update"), std::string::npos) << delivery.ignored[0].reason;
    EXPECT_NE(delivery.ignored[0].reason.find("entry[0].changes[0]"), std::string::npos) << delivery.ignored[0].reason;
}

TEST(NormalizeWebhook, UnknownPhoneNumberIdStillYieldsAccountChange) {
    const NormalizedDelivery delivery = normalize_webhook(load_webhook("unknown_phone_number_id"));
    EXPECT_TRUE(delivery.ignored.empty());
    ASSERT_EQ(delivery.account_changes.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].phone_number_id, "999999999999999");
    EXPECT_EQ(delivery.account_changes[0].display_phone_number, "15559999999");
    ASSERT_EQ(delivery.account_changes[0].messages.size(), 1u);
    EXPECT_EQ(delivery.account_changes[0].messages[0].text, "to a number we do not manage");
}

}  // namespace
}  // namespace inbox::domain
