#include "inbox/auth/hmac.hpp"

#include <gtest/gtest.h>

#include "inbox/auth/hex.hpp"

namespace inbox::auth {
namespace {

TEST(HmacSha256, MatchesRfc4231TestCase2) {
    EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesRfc4231TestCase6WithKeyLongerThanBlock) {
    EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, AcceptsEmptyKeyAndMessage) {
    EXPECT_EQ(to_hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, DigestsEqualComparesEveryByte) {
    const Sha256Digest a = hmac_sha256("k", "m");
    Sha256Digest b = a;
    EXPECT_TRUE(digests_equal(a, b));
    b.back() ^= 0x01;
    EXPECT_FALSE(digests_equal(a, b));
}

}  // namespace
}  // namespace inbox::auth
