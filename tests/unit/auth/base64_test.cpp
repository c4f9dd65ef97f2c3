#include "inbox/auth/base64.hpp"

#include <gtest/gtest.h>

namespace inbox::auth {
namespace {

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
    EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
    EXPECT_EQ(base64url_decode("-_-_"), std::optional<std::string>("\xfb\xff\xbf"));
}

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes) << "length " << bytes.size();
        bytes.push_back(static_cast<char>(i * 37));
    }
}

TEST(Base64Url, RejectsPaddingStandardAlphabetAndWhitespace) {
    EXPECT_FALSE(base64url_decode("Zg=="));
    EXPECT_FALSE(base64url_decode("+/+/"));
    EXPECT_FALSE(base64url_decode("Zm9v YmFy"));
    EXPECT_FALSE(base64url_decode("Zm9v\n"));
    EXPECT_FALSE(base64url_decode(std::string_view{"Zm\0v", 4}));
}

TEST(Base64Url, RejectsImpossibleLength) { EXPECT_FALSE(base64url_decode("Zm9vY")); }

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
    EXPECT_TRUE(base64url_decode("Zg"));
    EXPECT_FALSE(base64url_decode("Zh"));  // same byte, but the unused bits are set
    EXPECT_FALSE(base64url_decode("Zm9"));
}

TEST(Base64, DecodesWithAndWithoutPadding) {
    EXPECT_EQ(base64_decode("Zg=="), std::optional<std::string>("f"));
    EXPECT_EQ(base64_decode("Zg"), std::optional<std::string>("f"));
    EXPECT_EQ(base64_decode("Zm8="), std::optional<std::string>("fo"));
    EXPECT_EQ(base64_decode("Zm8"), std::optional<std::string>("fo"));
    EXPECT_EQ(base64_decode("+/+/"), std::optional<std::string>("\xfb\xff\xbf"));
}

TEST(Base64, RejectsWrongPadding) {
    EXPECT_FALSE(base64_decode("Zg="));
    EXPECT_FALSE(base64_decode("Zm8=="));
    EXPECT_FALSE(base64_decode("Zm9v===="));
    EXPECT_FALSE(base64_decode("Z==="));
    EXPECT_FALSE(base64_decode("===="));
    EXPECT_FALSE(base64_decode("Zg==Zg=="));
}

TEST(Base64, RejectsUrlAlphabet) { EXPECT_FALSE(base64_decode("-_-_")); }

}  // namespace
}  // namespace inbox::auth
