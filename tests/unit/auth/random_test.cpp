#include "inbox/auth/random.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace inbox::auth {
namespace {

TEST(RandomHex, HasTwoLowerCaseDigitsPerByte) {
    const std::string hex = random_hex(16);
    EXPECT_EQ(hex.size(), 32u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(random_hex(0), "");
}

TEST(RandomHex, DoesNotRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.insert(random_hex(16)).second);
}

TEST(NewUuidV4, IsLowerCaseHyphenatedVersion4) {
    const std::regex shape{"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
    for (int i = 0; i < 100; ++i) {
        const std::string uuid = new_uuid_v4();
        EXPECT_TRUE(std::regex_match(uuid, shape)) << uuid;
    }
    EXPECT_NE(new_uuid_v4(), new_uuid_v4());
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equals("verify-token", "verify-token"));
    EXPECT_TRUE(constant_time_equals("", ""));
    EXPECT_FALSE(constant_time_equals("verify-token", "verify-tokeN"));
    EXPECT_FALSE(constant_time_equals("verify-token", "verify-token-longer"));
    EXPECT_FALSE(constant_time_equals("verify-token", ""));
    EXPECT_FALSE(constant_time_equals(std::string_view{"a\0b", 3}, std::string_view{"a\0c", 3}));
}

}  // namespace
}  // namespace inbox::auth
