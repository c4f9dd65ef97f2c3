#include "inbox/auth/sha256_digest.hpp"

#include <algorithm>

#include "inbox/auth/base64.hpp"
#include "inbox/auth/hex.hpp"

namespace inbox::auth {

std::optional<Sha256Digest> decode_sha256_digest(std::string_view hex_or_base64) {
    Sha256Digest digest{};
    // 64 characters can only be hex: Base64 of 32 bytes is 43 or 44 characters long.
    if (hex_or_base64.size() == digest.size() * 2) {
        if (decode_hex(hex_or_base64, digest)) return digest;
        return std::nullopt;
    }
    const auto bytes = base64_decode(hex_or_base64);
    if (!bytes || bytes->size() != digest.size()) return std::nullopt;
    std::copy(bytes->begin(), bytes->end(), digest.begin());
    return digest;
}

}  // namespace inbox::auth
