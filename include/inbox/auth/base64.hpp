#pragma once
// Strict Base64 codecs (RFC 4648). Decoders accept only canonical input: no whitespace, no stray characters, and the
// unused bits of the last character must be zero, so every byte string has exactly one accepted encoding.
#include <optional>
#include <string>
#include <string_view>

namespace inbox::auth {

// URL-safe alphabet without padding, as JWS segments use it (RFC 7515 §2).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Standard alphabet; padding is optional but, when present, must be exactly right.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace inbox::auth
