#pragma once
// Signed media URLs, `/media/<key>?expires=<unix>[&name=<file name>]&sig=<hex>`: the signature is the credential,
// so no bearer token is needed. sig = hex HMAC-SHA256(secret, key + "\n" + expires [+ "\n" + name]), with
// `expires` exactly as it appears in the URL and `name` decoded. The name (the file name a download is saved as)
// is signed too: nobody can make our origin offer a file under a name of their choosing.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::auth {

using TimePoint = std::chrono::system_clock::time_point;

enum class MediaUrlCheck { ok, invalid_signature, expired };

// The relative URL "/media/<key>?expires=<unix seconds>&sig=<hex>". The key is signed as given and percent-encoded
// in the path (RFC 3986 unreserved characters and '/' are kept). Throws std::invalid_argument for an empty secret
// or key, or an `expires` before the Unix epoch.
std::string sign_media_path(std::string_view secret, std::string_view key, TimePoint expires,
                            std::optional<std::string_view> name = std::nullopt);

// `key` is the percent-decoded path after "/media/"; `expires_param` and `sig_param` the raw query values.
// A malformed `expires` or `sig` is invalid_signature; `expired` (now >= expires) is reported only for a URL whose
// signature is valid, so it never confirms anything about a forged URL. Throws std::invalid_argument for an empty
// secret.
MediaUrlCheck verify_media_url(std::string_view secret, std::string_view key, std::string_view expires_param,
                               std::string_view sig_param, TimePoint now,
                               std::optional<std::string_view> name = std::nullopt);

}  // namespace inbox::auth
