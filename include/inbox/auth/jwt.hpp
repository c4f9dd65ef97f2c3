#pragma once
// Bearer tokens: HS256 JWTs (RFC 7519) minted by `whatsapp-inbox token` and checked on every authenticated route.
// Only HS256 is accepted; `exp` and a non-empty `sub` are required; `nbf` and `iat` are honoured with kJwtLeeway.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace inbox::auth {

using TimePoint = std::chrono::system_clock::time_point;

// Clock skew tolerated between token issuers and this server, for exp, nbf and iat alike.
inline constexpr std::chrono::seconds kJwtLeeway{60};

enum class JwtError {
    malformed,              // not three Base64url segments of JSON objects, wrong claim types, oversized
    bad_signature,          // HMAC-SHA256 with our secret does not match
    algorithm_not_allowed,  // header `alg` other than HS256, `none` included
    expired,                // now >= exp + leeway
    not_yet_valid,          // now < nbf - leeway
    missing_expiry,         // no `exp` claim
    missing_subject,        // no `sub` claim, or an empty one
    issued_in_future,       // iat > now + leeway
};

std::string_view to_string(JwtError error) noexcept;

struct JwtClaims {
    std::string subject;
    TimePoint expires_at;
};

// Either the verified claims or why the token was refused.
class JwtResult {
public:
    JwtResult(JwtClaims claims) : value_(std::move(claims)) {}
    JwtResult(JwtError error) : value_(error) {}

    bool ok() const noexcept { return std::holds_alternative<JwtClaims>(value_); }
    explicit operator bool() const noexcept { return ok(); }

    // Precondition: ok() (claims) / !ok() (error); otherwise std::bad_variant_access.
    const JwtClaims& claims() const { return std::get<JwtClaims>(value_); }
    JwtError error() const { return std::get<JwtError>(value_); }

private:
    std::variant<JwtClaims, JwtError> value_;
};

// Claims: sub, iat = now, exp = now + ttl (whole seconds). Throws std::invalid_argument for an empty secret, an empty
// subject or a non-positive ttl: those are bugs in the caller, never expected outcomes.
std::string mint_jwt(std::string_view secret, std::string_view subject, std::chrono::seconds ttl, TimePoint now);

// Throws std::invalid_argument for an empty secret (a configuration bug: anyone could forge tokens).
JwtResult verify_jwt(std::string_view secret, std::string_view token, TimePoint now);

}  // namespace inbox::auth
