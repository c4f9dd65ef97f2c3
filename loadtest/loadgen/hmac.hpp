#pragma once

#include <string>
#include <string_view>

namespace inbox::loadgen {

// Lower-case hex HMAC-SHA256 of `data` keyed with `key` (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// The value of Meta's `X-Hub-Signature-256` header for `body`: "sha256=<hex HMAC-SHA256(secret, body)>".
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace inbox::loadgen
