#pragma once
// Signed media URLs, `/media/<key>?expires=<unix>&sig=<hex>`: the signature is the credential, so no bearer token
// is needed. sig = hex HMAC-SHA256(secret, key + "\n" + expires), with `expires` exactly as it appears in the URL.
#include <chrono>
#include <string>
#include <string_view>

namespace inbox::auth {

using TimePoint = std::chrono::system_clock::time_point;

enum class MediaUrlCheck { ok, invalid_signature, expired };

// The relative URL "/media/<key>?expires=<unix seconds>&sig=<hex>". The key is signed as given and percent-encoded
// in the path (RFC 3986 unreserved characters and '/' are kept). Throws std::invalid_argument for an empty secret
// or key, or an `expires` before the Unix epoch.
std::string sign_media_path(std::string_view secret, std::string_view key, TimePoint expires);

// `key` is the percent-decoded path after "/media/"; `expires_param` and `sig_param` the raw query values.
// A malformed `expires` or `sig` is invalid_signature; `expired` (now >= expires) is reported only for a URL whose
// signature is valid, so it never confirms anything about a forged URL. Throws std::invalid_argument for an empty
// secret.
MediaUrlCheck verify_media_url(std::string_view secret, std::string_view key, std::string_view expires_param,
                               std::string_view sig_param, TimePoint now);

}  // namespace inbox::auth
