#include "inbox/auth/jwt.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "inbox/auth/base64.hpp"
#include "inbox/auth/hmac.hpp"

namespace inbox::auth {
namespace {

using nlohmann::json;
using Seconds = std::chrono::seconds;

// Real tokens are a few hundred bytes; the cap bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenLength = 8 * 1024;

// NumericDates outside [0, kMaxNumericDate] are refused as malformed: the bound keeps every date, plus the leeway,
// representable in system_clock::time_point (nanoseconds: up to year 2262).
constexpr std::int64_t kMaxNumericDate = 9'000'000'000;  // year 2255

constexpr std::string_view kHeaderHs256 = R"({"alg":"HS256","typ":"JWT"})";

struct Segments {
    std::string_view header;
    std::string_view payload;
    std::string_view signature;
    std::string_view signing_input;  // header + '.' + payload, the bytes the signature covers
};

std::optional<Segments> split_token(std::string_view token) {
    const auto first_dot = token.find('.');
    if (first_dot == std::string_view::npos) return std::nullopt;
    const auto second_dot = token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    Segments segments{
        .header = token.substr(0, first_dot),
        .payload = token.substr(first_dot + 1, second_dot - first_dot - 1),
        .signature = token.substr(second_dot + 1),
        .signing_input = token.substr(0, second_dot),
    };
    if (segments.header.empty() || segments.payload.empty()) return std::nullopt;
    return segments;
}

// A Base64url segment holding a JSON object, or nothing.
std::optional<json> decode_json_object(std::string_view segment) {
    const auto text = base64url_decode(segment);
    if (!text) return std::nullopt;
    json value = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) return std::nullopt;
    return value;
}

enum class DateClaim { absent, malformed, present };

// Reads an optional NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly fractional).
DateClaim read_date(const json& payload, const char* name, TimePoint& out) {
    const auto it = payload.find(name);
    if (it == payload.end()) return DateClaim::absent;
    std::int64_t seconds = 0;
    if (it->is_number_unsigned()) {
        const auto value = it->get<std::uint64_t>();
        if (value > static_cast<std::uint64_t>(kMaxNumericDate)) return DateClaim::malformed;
        seconds = static_cast<std::int64_t>(value);
    } else if (it->is_number_integer()) {
        seconds = it->get<std::int64_t>();
    } else if (it->is_number_float()) {
        const double value = it->get<double>();
        if (!std::isfinite(value) || value < 0 || value > static_cast<double>(kMaxNumericDate)) {
            return DateClaim::malformed;
        }
        seconds = static_cast<std::int64_t>(std::floor(value));
    } else {
        return DateClaim::malformed;
    }
    if (seconds < 0 || seconds > kMaxNumericDate) return DateClaim::malformed;
    out = TimePoint{Seconds{seconds}};
    return DateClaim::present;
}

std::int64_t unix_seconds(TimePoint time) { return std::chrono::floor<Seconds>(time.time_since_epoch()).count(); }

}  // namespace

std::string_view to_string(JwtError error) noexcept {
    switch (error) {
        case JwtError::malformed:
            return "malformed";
        case JwtError::bad_signature:
            return "bad_signature";
        case JwtError::algorithm_not_allowed:
            return "algorithm_not_allowed";
        case JwtError::expired:
            return "expired";
        case JwtError::not_yet_valid:
            return "not_yet_valid";
        case JwtError::missing_expiry:
            return "missing_expiry";
        case JwtError::missing_subject:
            return "missing_subject";
        case JwtError::issued_in_future:
            return "issued_in_future";
    }
    return "unknown";
}

std::string mint_jwt(std::string_view secret, std::string_view subject, std::chrono::seconds ttl, TimePoint now) {
    if (secret.empty()) throw std::invalid_argument("mint_jwt: empty secret");
    if (subject.empty()) throw std::invalid_argument("mint_jwt: empty subject");
    if (ttl <= Seconds::zero()) throw std::invalid_argument("mint_jwt: ttl must be positive");

    const std::int64_t issued_at = unix_seconds(now);
    const json payload = {{"sub", subject}, {"iat", issued_at}, {"exp", issued_at + ttl.count()}};
    std::string token = base64url_encode(kHeaderHs256) + '.' + base64url_encode(payload.dump());
    const Sha256Digest signature = hmac_sha256(secret, token);
    token += '.';
    token += base64url_encode(std::string_view{reinterpret_cast<const char*>(signature.data()), signature.size()});
    return token;
}

JwtResult verify_jwt(std::string_view secret, std::string_view token, TimePoint now) {
    if (secret.empty()) throw std::invalid_argument("verify_jwt: empty secret");
    if (token.size() > kMaxTokenLength) return JwtError::malformed;

    const auto segments = split_token(token);
    if (!segments) return JwtError::malformed;

    // The algorithm is decided here, never by the token: anything but HS256 (none, HS512, RS256 with our secret
    // as "public key"...) is refused before any signature work.
    const auto header = decode_json_object(segments->header);
    if (!header) return JwtError::malformed;
    const auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string()) return JwtError::malformed;
    if (alg->get_ref<const std::string&>() != "HS256") return JwtError::algorithm_not_allowed;
    // RFC 7515 §4.1.11: critical extensions we do not implement make the token unusable.
    if (header->contains("crit")) return JwtError::malformed;

    const auto signature = base64url_decode(segments->signature);
    if (!signature) return JwtError::malformed;
    const Sha256Digest expected = hmac_sha256(secret, segments->signing_input);
    Sha256Digest presented{};
    if (signature->size() != presented.size()) return JwtError::bad_signature;
    std::copy(signature->begin(), signature->end(), presented.begin());
    if (!digests_equal(expected, presented)) return JwtError::bad_signature;

    // Only an authentic payload is parsed.
    const auto payload = decode_json_object(segments->payload);
    if (!payload) return JwtError::malformed;

    TimePoint expires_at{};
    TimePoint not_before{};
    TimePoint issued_at{};
    const DateClaim exp = read_date(*payload, "exp", expires_at);
    const DateClaim nbf = read_date(*payload, "nbf", not_before);
    const DateClaim iat = read_date(*payload, "iat", issued_at);
    if (exp == DateClaim::malformed || nbf == DateClaim::malformed || iat == DateClaim::malformed) {
        return JwtError::malformed;
    }
    if (exp == DateClaim::absent) return JwtError::missing_expiry;

    const auto sub = payload->find("sub");
    if (sub == payload->end()) return JwtError::missing_subject;
    if (!sub->is_string()) return JwtError::malformed;
    if (sub->get_ref<const std::string&>().empty()) return JwtError::missing_subject;

    if (now >= expires_at + kJwtLeeway) return JwtError::expired;
    if (nbf == DateClaim::present && now < not_before - kJwtLeeway) return JwtError::not_yet_valid;
    if (iat == DateClaim::present && issued_at > now + kJwtLeeway) return JwtError::issued_in_future;

    return JwtClaims{.subject = sub->get<std::string>(), .expires_at = expires_at};
}

}  // namespace inbox::auth
