#pragma once
// Meta's `X-Hub-Signature-256` on webhook deliveries: "sha256=" + hex HMAC-SHA256(app secret, raw body).
#include <string>
#include <string_view>
#include <vector>

namespace inbox::auth {

// True when `header_value` is "sha256=" followed by 64 hex digits (either case) equal to the HMAC of the exact
// `raw_body` bytes under at least one of `app_secrets`. Every secret is checked in constant time and without an
// early exit, so timing does not reveal which secret matched. Empty secrets are never used (anyone could sign with
// one); a malformed header or no usable secret → false.
bool verify_webhook_signature(std::string_view raw_body, std::string_view header_value,
                              const std::vector<std::string>& app_secrets);

// "sha256=" + lower-case hex HMAC-SHA256(secret, body): the header value Meta would send.
std::string sign_webhook_body(std::string_view body, std::string_view secret);

}  // namespace inbox::auth
