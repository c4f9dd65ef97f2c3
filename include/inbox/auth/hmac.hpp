#pragma once
// HMAC-SHA256 and the constant-time digest comparison every signature check uses.
#include <string_view>

#include "inbox/auth/sha256_digest.hpp"

namespace inbox::auth {

// Throws std::runtime_error if OpenSSL fails (broken infrastructure, not an expected outcome).
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// Constant time in the content of the digests (CRYPTO_memcmp).
bool digests_equal(const Sha256Digest& a, const Sha256Digest& b) noexcept;

}  // namespace inbox::auth
