#include "inbox/auth/webhook_signature.hpp"

#include "inbox/auth/hex.hpp"
#include "inbox/auth/hmac.hpp"

namespace inbox::auth {
namespace {

constexpr std::string_view kPrefix = "sha256=";

}  // namespace

bool verify_webhook_signature(std::string_view raw_body, std::string_view header_value,
                              const std::vector<std::string>& app_secrets) {
    if (!header_value.starts_with(kPrefix)) return false;
    Sha256Digest presented{};
    if (!decode_hex(header_value.substr(kPrefix.size()), presented)) return false;

    // No early exit: every secret costs the same whether or not an earlier one matched.
    bool matched = false;
    for (const std::string& secret : app_secrets) {
        if (secret.empty()) continue;
        matched |= digests_equal(hmac_sha256(secret, raw_body), presented);
    }
    return matched;
}

std::string sign_webhook_body(std::string_view body, std::string_view secret) {
    return std::string{kPrefix} + to_hex(hmac_sha256(secret, body));
}

}  // namespace inbox::auth
