#pragma once
// Cryptographically secure identifiers and secret comparison.
#include <cstddef>
#include <string>
#include <string_view>

namespace inbox::auth {

// `bytes` random bytes from OpenSSL's CSPRNG as 2 * bytes lower-case hex digits. Throws std::runtime_error when the
// generator fails.
std::string random_hex(std::size_t bytes);

// A random (version 4) UUID, lower-case and hyphenated: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
std::string new_uuid_v4();

// Equality of secrets (verify tokens, API keys) whose timing reveals neither the position of the first difference
// nor whether the lengths match: both sides are HMAC'd with a per-process random key and the digests compared.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace inbox::auth
