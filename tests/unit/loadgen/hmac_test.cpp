#include "loadgen/hmac.hpp"

#include <gtest/gtest.h>

namespace inbox::loadgen {
namespace {

// The published HMAC-SHA256 example (also `openssl dgst -sha256 -hmac key`).
TEST(WebhookSignature, MatchesKnownHmacSha256Vector) {
    EXPECT_EQ(hmac_sha256_hex("key", "The quick brown fox jumps over the lazy dog"),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(WebhookSignature, IsPrefixedWithSha256) {
    EXPECT_EQ(webhook_signature("key", "The quick brown fox jumps over the lazy dog"),
              "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(WebhookSignature, EmptyKeyAndBody) {
    EXPECT_EQ(hmac_sha256_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace inbox::loadgen
