#include "inbox/auth/url_signer.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "inbox/auth/hex.hpp"
#include "inbox/auth/hmac.hpp"

namespace inbox::auth {
namespace {

// Ten digits reach year 2286; more is not a date this server ever signs.
constexpr std::size_t kMaxExpiresDigits = 10;

Sha256Digest media_signature(std::string_view secret, std::string_view key, std::string_view expires,
                             std::optional<std::string_view> name) {
    std::string message;
    message.reserve(key.size() + 2 + expires.size() + (name ? name->size() : 0));
    message.append(key).append(1, '\n').append(expires);
    if (name) message.append(1, '\n').append(*name);
    return hmac_sha256(secret, message);
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Everything but unreserved characters (and '/' in a path) percent-encoded.
std::string percent_encode(std::string_view text, bool keep_slash) {
    constexpr std::string_view kHexDigits = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size());
    for (const char c : text) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            encoded.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            encoded.push_back('%');
            encoded.push_back(kHexDigits[byte >> 4]);
            encoded.push_back(kHexDigits[byte & 0x0f]);
        }
    }
    return encoded;
}

std::string percent_encode_value(std::string_view value) { return percent_encode(value, false); }

std::string percent_encode_path(std::string_view key) { return percent_encode(key, true); }

std::optional<std::int64_t> parse_expires(std::string_view text) {
    if (text.empty() || text.size() > kMaxExpiresDigits) return std::nullopt;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string sign_media_path(std::string_view secret, std::string_view key, TimePoint expires,
                            std::optional<std::string_view> name) {
    if (secret.empty()) throw std::invalid_argument("sign_media_path: empty secret");
    if (key.empty()) throw std::invalid_argument("sign_media_path: empty key");
    const auto seconds = std::chrono::floor<std::chrono::seconds>(expires.time_since_epoch()).count();
    if (seconds < 0) throw std::invalid_argument("sign_media_path: expires before the epoch");

    const std::string expires_text = std::to_string(seconds);
    auto path = "/media/" + percent_encode_path(key) + "?expires=" + expires_text;
    if (name) path += "&name=" + percent_encode_value(*name);
    return path + "&sig=" + to_hex(media_signature(secret, key, expires_text, name));
}

MediaUrlCheck verify_media_url(std::string_view secret, std::string_view key, std::string_view expires_param,
                               std::string_view sig_param, TimePoint now, std::optional<std::string_view> name) {
    if (secret.empty()) throw std::invalid_argument("verify_media_url: empty secret");
    const auto expires = parse_expires(expires_param);
    Sha256Digest presented{};
    if (key.empty() || !expires || !decode_hex(sig_param, presented)) return MediaUrlCheck::invalid_signature;
    if (!digests_equal(media_signature(secret, key, expires_param, name), presented)) {
        return MediaUrlCheck::invalid_signature;
    }
    // Compared in whole seconds: ten digits reach past what a nanosecond TimePoint holds (year 2262).
    const std::chrono::sys_seconds expires_at{std::chrono::seconds{*expires}};
    if (std::chrono::floor<std::chrono::seconds>(now) >= expires_at) return MediaUrlCheck::expired;
    return MediaUrlCheck::ok;
}

}  // namespace inbox::auth
