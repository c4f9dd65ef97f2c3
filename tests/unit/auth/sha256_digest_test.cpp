#include "inbox/auth/sha256_digest.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include "inbox/auth/hex.hpp"

namespace inbox::auth {
namespace {

// SHA-256("abc") in the two encodings Meta uses for media metadata.
constexpr std::string_view kAbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kAbcBase64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";

TEST(Sha256Digest, DecodesHexInEitherCase) {
    const auto lower = decode_sha256_digest(kAbcHex);
    ASSERT_TRUE(lower);
    EXPECT_EQ(to_hex(*lower), kAbcHex);

    std::string upper{kAbcHex};
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(decode_sha256_digest(upper), lower);
}

TEST(Sha256Digest, DecodesBase64WithAndWithoutPadding) {
    const auto padded = decode_sha256_digest(kAbcBase64);
    ASSERT_TRUE(padded);
    EXPECT_EQ(to_hex(*padded), kAbcHex);
    EXPECT_EQ(decode_sha256_digest(kAbcBase64.substr(0, 43)), padded);
}

TEST(Sha256Digest, RejectsWrongLengths) {
    EXPECT_FALSE(decode_sha256_digest(""));
    EXPECT_FALSE(decode_sha256_digest(kAbcHex.substr(0, 62)));
    EXPECT_FALSE(decode_sha256_digest(std::string{kAbcHex} + "00"));
    EXPECT_FALSE(decode_sha256_digest("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFQ=="));      // 31 bytes
    EXPECT_FALSE(decode_sha256_digest("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0AAA=="));  // 34 bytes
}

TEST(Sha256Digest, RejectsNonHexOfHexLength) {
    std::string bad{kAbcHex};
    bad[10] = 'g';
    EXPECT_FALSE(decode_sha256_digest(bad));
}

TEST(Sha256Digest, RejectsCorruptBase64) {
    EXPECT_FALSE(
        decode_sha256_digest("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0"  // valid, then junk
                             "!"));
    EXPECT_FALSE(decode_sha256_digest("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0="));  // URL alphabet
    EXPECT_FALSE(decode_sha256_digest("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa1="));  // trailing bits
}

}  // namespace
}  // namespace inbox::auth
