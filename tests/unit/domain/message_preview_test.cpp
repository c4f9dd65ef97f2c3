#include "inbox/domain/message_preview.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

TEST(MessagePreview, ShortTextIsShownAsIs) {
    EXPECT_EQ(message_preview("text", "Does it come in red?"), "Does it come in red?");
}

TEST(MessagePreview, LongTextIsTruncatedTo200Characters) {
    const std::string text(250, 'a');
    EXPECT_EQ(message_preview("text", text), std::string(200, 'a'));
}

TEST(MessagePreview, TruncationNeverSplitsAMultibyteCharacter) {
    std::string text;
    for (int i = 0; i < 150; ++i) text += "\xC3\xA9\xF0\x9F\x91\x8D";  // é👍
    const std::string preview = message_preview("text", text);
    EXPECT_EQ(code_points(preview), 200u);
    EXPECT_EQ(preview.size(), 100u * (2 + 4));
    EXPECT_EQ(text.compare(0, preview.size(), preview), 0);
}

TEST(MessagePreview, ExactlyTheLimitIsKeptWhole) {
    const std::string text(200, 'b');
    EXPECT_EQ(truncate_utf8(text, 200), text);
    EXPECT_EQ(truncate_utf8("", 200), "");
}

TEST(MessagePreview, TypesWithoutTextShowTheTypeInBrackets) {
    EXPECT_EQ(message_preview("location", std::nullopt), "[location]");
    EXPECT_EQ(message_preview("reaction", std::nullopt), "[reaction]");
    EXPECT_EQ(message_preview("sticker", std::nullopt), "[sticker]");
    EXPECT_EQ(message_preview("image", std::string{}), "[image]");
}

}  // namespace
}  // namespace inbox::domain
