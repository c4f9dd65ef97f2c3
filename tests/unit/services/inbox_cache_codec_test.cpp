#include "inbox/services/inbox_cache_codec.hpp"

#include <gtest/gtest.h>

namespace inbox::services {
namespace {

TEST(ConversationCodec, RoundTripsExactlyIncludingMicrosecondsAndNulls) {
    domain::Conversation conversation{
        .id = "c1",
        .account_id = "a1",
        .contact = {"k1", "16505551234", "Sheena"},
        .status = "open",
        .unread_count = 2,
        .last_message_at = domain::TimePoint{std::chrono::microseconds{1'795'000'000'123'456}},
        .last_message_preview = std::nullopt,
        .last_inbound_at = std::nullopt};
    EXPECT_EQ(decode_conversation(encode_conversation(conversation)), conversation);
    conversation.contact.name.reset();
    conversation.last_inbound_at = conversation.last_message_at;
    EXPECT_EQ(decode_conversation(encode_conversation(conversation)), conversation);
}

TEST(ConversationCodec, AnythingUnexpectedIsAMiss) {
    for (const char* text : {"", "garbage", "[]", "{}", R"({"id":"c1"})", R"({"id":1})"}) {
        EXPECT_FALSE(decode_conversation(text).has_value()) << text;
    }
}

TEST(AccountIdsCodec, RoundTripsAndRejectsOtherShapes) {
    const std::vector<std::string> ids{"a1", "a2"};
    EXPECT_EQ(decode_account_ids(encode_account_ids(ids)), ids);
    EXPECT_EQ(decode_account_ids(encode_account_ids({})), std::vector<std::string>{});
    EXPECT_FALSE(decode_account_ids("{}").has_value());
    EXPECT_FALSE(decode_account_ids("[1]").has_value());
    EXPECT_FALSE(decode_account_ids("nope").has_value());
}

}  // namespace
}  // namespace inbox::services
