#include "inbox/auth/hex.hpp"

#include <gtest/gtest.h>

#include <array>

namespace inbox::auth {
namespace {

TEST(Hex, EncodesLowerCase) {
    const std::array<unsigned char, 4> bytes{0x00, 0x0f, 0xab, 0xff};
    EXPECT_EQ(to_hex(bytes), "000fabff");
    EXPECT_EQ(to_hex(std::string_view{"\x01\xfe", 2}), "01fe");
    EXPECT_EQ(to_hex(std::string_view{}), "");
}

TEST(Hex, DecodesEitherCase) {
    std::array<unsigned char, 3> out{};
    ASSERT_TRUE(decode_hex("aBcDeF", out));
    EXPECT_EQ(out, (std::array<unsigned char, 3>{0xab, 0xcd, 0xef}));
}

TEST(Hex, RejectsWrongLengthAndNonHex) {
    std::array<unsigned char, 2> out{};
    EXPECT_FALSE(decode_hex("abc", out));
    EXPECT_FALSE(decode_hex("abcdef", out));
    EXPECT_FALSE(decode_hex("abcg", out));
    EXPECT_FALSE(decode_hex("ab c", out));
    EXPECT_FALSE(decode_hex("0x12", out));
}

}  // namespace
}  // namespace inbox::auth
