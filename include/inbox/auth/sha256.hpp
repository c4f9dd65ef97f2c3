#pragma once
// A plain SHA-256 of bytes held in memory (fingerprints); downloads hash as they stream (auth/sha256_stream.hpp).
#include <string>
#include <string_view>

#include "inbox/auth/sha256_digest.hpp"

namespace inbox::auth {

// Throws std::runtime_error if OpenSSL fails (broken infrastructure, not an expected outcome).
Sha256Digest sha256(std::string_view bytes);
// Lower-case hex of sha256(bytes).
std::string sha256_hex(std::string_view bytes);

}  // namespace inbox::auth
