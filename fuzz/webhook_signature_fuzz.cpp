// X-Hub-Signature-256 against the raw body. The input's first line is the header value, the rest is the body.
// Properties: a forged header never verifies, and what sign_webhook_body makes (in either hex case) always does.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/auth/webhook_signature.hpp"
#include "support/check.hpp"

namespace {

const std::vector<std::string> kAppSecrets{"first app secret", "second-app-secret-0123456789"};

std::string upper_case(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using inbox::auth::sign_webhook_body;
    using inbox::auth::verify_webhook_signature;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const auto header = input.substr(0, newline);
    const auto body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    const bool verified = verify_webhook_signature(body, header, kAppSecrets);
    if (verified) {
        // Only a header made from one of the secrets can pass (an HMAC collision is not what a fuzzer finds).
        INBOX_FUZZ_CHECK(std::any_of(kAppSecrets.begin(), kAppSecrets.end(), [&](const std::string& secret) {
            return upper_case(sign_webhook_body(body, secret)) == upper_case(std::string(header));
        }));
    }
    INBOX_FUZZ_CHECK(!verify_webhook_signature(body, header, {}));
    INBOX_FUZZ_CHECK(!verify_webhook_signature(body, header, {""}));

    for (const auto& secret : kAppSecrets) {
        const auto signature = sign_webhook_body(body, secret);
        INBOX_FUZZ_CHECK(signature.size() == 7 + 64 && signature.starts_with("sha256="));
        INBOX_FUZZ_CHECK(verify_webhook_signature(body, signature, kAppSecrets));
        INBOX_FUZZ_CHECK(verify_webhook_signature(body, "sha256=" + upper_case(signature.substr(7)), kAppSecrets));
        INBOX_FUZZ_CHECK(verify_webhook_signature(body, signature, {"", secret}));
        // The header covers the exact bytes: one more byte, or another secret, and it no longer verifies.
        INBOX_FUZZ_CHECK(!verify_webhook_signature(std::string(body) + '\n', signature, kAppSecrets));
        INBOX_FUZZ_CHECK(!verify_webhook_signature(body, signature, {"another secret"}));
    }
    // The header from the input, signed with a secret taken from the input, verifies under that secret alone.
    if (!header.empty()) {
        const std::string secret(header);
        INBOX_FUZZ_CHECK(verify_webhook_signature(body, sign_webhook_body(body, secret), {secret}));
    }
    return 0;
}
