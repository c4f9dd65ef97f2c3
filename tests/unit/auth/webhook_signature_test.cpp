#include "inbox/auth/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace inbox::auth {
namespace {

const std::vector<std::string> kAppSecrets{"first-app-secret", "second-app-secret"};

std::filesystem::path fixtures_dir() {
    if (const char* dir = std::getenv("INBOX_FIXTURES_DIR"); dir != nullptr && *dir != '\0') return dir;
    return INBOX_DEFAULT_FIXTURES_DIR;
}

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream file{path, std::ios::binary};
    if (!file) throw std::runtime_error("cannot open fixture " + path.string());
    return {std::istreambuf_iterator<char>{file}, std::istreambuf_iterator<char>{}};
}

TEST(WebhookSignature, MatchesKnownHmacSha256Vector) {
    EXPECT_EQ(sign_webhook_body("The quick brown fox jumps over the lazy dog", "key"),
              "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(WebhookSignature, BodySignedWithFirstSecretIsAccepted) {
    const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
    EXPECT_TRUE(verify_webhook_signature(body, sign_webhook_body(body, kAppSecrets[0]), kAppSecrets));
}

TEST(WebhookSignature, BodySignedWithSecondSecretIsAccepted) {
    const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
    EXPECT_TRUE(verify_webhook_signature(body, sign_webhook_body(body, kAppSecrets[1]), kAppSecrets));
}

TEST(WebhookSignature, UpperCaseHexIsAccepted) {
    const std::string body = "{}";
    std::string header = sign_webhook_body(body, kAppSecrets[0]);
    std::transform(header.begin() + 7, header.end(), header.begin() + 7,
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    EXPECT_TRUE(verify_webhook_signature(body, header, kAppSecrets));
}

TEST(WebhookSignature, BodySignedWithUnknownSecretIsRejected) {
    const std::string body = "{}";
    EXPECT_FALSE(verify_webhook_signature(body, sign_webhook_body(body, "attacker-secret"), kAppSecrets));
}

TEST(WebhookSignature, NoConfiguredSecretRejectsEverything) {
    const std::string body = "{}";
    EXPECT_FALSE(verify_webhook_signature(body, sign_webhook_body(body, "anything"), {}));
}

TEST(WebhookSignature, EmptySecretIsNeverUsed) {
    const std::string body = "{}";
    EXPECT_FALSE(verify_webhook_signature(body, sign_webhook_body(body, ""), {"", "real-secret"}));
}

TEST(WebhookSignature, HeaderWithoutPrefixIsRejected) {
    const std::string body = "{}";
    const std::string header = sign_webhook_body(body, kAppSecrets[0]);
    EXPECT_FALSE(verify_webhook_signature(body, header.substr(7), kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, "sha1=" + header.substr(7), kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, "SHA256=" + header.substr(7), kAppSecrets));
}

TEST(WebhookSignature, HeaderWithWrongDigestLengthIsRejected) {
    const std::string body = "{}";
    const std::string header = sign_webhook_body(body, kAppSecrets[0]);
    EXPECT_FALSE(verify_webhook_signature(body, header.substr(0, header.size() - 2), kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, header + "00", kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, "sha256=", kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, "", kAppSecrets));
}

TEST(WebhookSignature, HeaderWithNonHexDigestIsRejected) {
    const std::string body = "{}";
    std::string header = sign_webhook_body(body, kAppSecrets[0]);
    header[20] = 'z';
    EXPECT_FALSE(verify_webhook_signature(body, header, kAppSecrets));
    EXPECT_FALSE(verify_webhook_signature(body, sign_webhook_body(body, kAppSecrets[0]) + " ", kAppSecrets));
}

TEST(WebhookSignature, FixtureSignedOverItsExactBytesIsAccepted) {
    const std::string body = read_bytes(fixtures_dir() / "webhooks" / "text_message.json");
    ASSERT_FALSE(body.empty());
    EXPECT_TRUE(verify_webhook_signature(body, sign_webhook_body(body, kAppSecrets[1]), kAppSecrets));
}

TEST(WebhookSignature, FixtureWithOneByteChangedIsRejected) {
    const std::string body = read_bytes(fixtures_dir() / "webhooks" / "text_message.json");
    const std::string header = sign_webhook_body(body, kAppSecrets[0]);
    for (const std::size_t position : {std::size_t{0}, body.size() / 2, body.size() - 1}) {
        std::string altered = body;
        altered[position] = static_cast<char>(altered[position] ^ 0x01);
        EXPECT_FALSE(verify_webhook_signature(altered, header, kAppSecrets)) << "byte " << position;
    }
}

TEST(WebhookSignature, ReserialisedJsonDoesNotMatch) {
    const std::string body = read_bytes(fixtures_dir() / "webhooks" / "text_message.json");
    const std::string header = sign_webhook_body(body, kAppSecrets[0]);
    EXPECT_FALSE(verify_webhook_signature(body + "\n", header, kAppSecrets));
}

}  // namespace
}  // namespace inbox::auth
