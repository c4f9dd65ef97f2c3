#pragma once
// A SHA-256 digest and the textual forms Meta uses for it in media metadata.
#include <array>
#include <optional>
#include <string_view>

namespace inbox::auth {

using Sha256Digest = std::array<unsigned char, 32>;

// Accepts 64 hex digits (either case) or standard Base64 of 32 bytes, with or without padding (44 or 43 chars).
std::optional<Sha256Digest> decode_sha256_digest(std::string_view hex_or_base64);

}  // namespace inbox::auth
