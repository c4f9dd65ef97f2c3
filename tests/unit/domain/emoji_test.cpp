#include "inbox/domain/emoji.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

TEST(Emoji, OneEmojiAsAPersonSeesIt) {
    for (const char* one : {"👍", "❤️", "❤", "👍🏽", "👩‍💻", "👨‍👩‍👧", "🇫🇷", "1️⃣", "#️⃣", "🏳️‍🌈", "©️", "😂", "🫶"}) {
        EXPECT_TRUE(is_one_emoji(one)) << one;
    }
}

TEST(Emoji, AnythingElseIsRefused) {
    for (const char* other : {"", "a", "ok", "1", "👍👍", "👍 ", " 👍", "🇫", "🇫🇷🇩🇪", "👩‍", "\xF0\x9F\x91", "\xC0\xAF",
                              "️", "🏽"}) {
        EXPECT_FALSE(is_one_emoji(other)) << other;
    }
    EXPECT_FALSE(is_one_emoji(std::string(80, 'x')));
}

}  // namespace
}  // namespace inbox::domain
