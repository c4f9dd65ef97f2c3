// Serving stored media: signed URLs (auth/url_signer.hpp), Range and If-None-Match (http/byte_range.hpp).
// Input: 8 bytes (little-endian) giving the file size, then lines: key, expires, sig, Range value, If-None-Match
// value, ETag. Missing lines are empty.
#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "inbox/auth/hex.hpp"
#include "inbox/auth/hmac.hpp"
#include "inbox/auth/url_signer.hpp"
#include "inbox/http/byte_range.hpp"
#include "inbox/http/dispatcher.hpp"
#include "inbox/http/types.hpp"
#include "support/api_routes.hpp"
#include "support/check.hpp"

namespace {

namespace auth = inbox::auth;
namespace http = inbox::http;
using auth::MediaUrlCheck;
using std::chrono::seconds;

constexpr std::string_view kSecret = "media url secret of the fuzz target";
constexpr std::int64_t kNowSeconds = 1'764'000'000;
const auth::TimePoint kNow{seconds{kNowSeconds}};

struct Fields {
    std::uint64_t number = 0;
    std::array<std::string_view, 6> lines{};
};

Fields split(std::string_view input) {
    Fields fields;
    const auto head = input.substr(0, 8);
    for (std::size_t i = 0; i < head.size(); ++i) {
        fields.number |= std::uint64_t{static_cast<unsigned char>(head[i])} << (8 * i);
    }
    input.remove_prefix(head.size());
    for (auto& line : fields.lines) {
        const auto newline = input.find('\n');
        line = input.substr(0, newline);
        input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
    }
    return fields;
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower_case(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower;
}

// The scheme as url_signer.hpp states it: sig = hex HMAC-SHA256(secret, key + "\n" + expires).
std::string expected_sig(std::string_view key, std::string_view expires) {
    return auth::to_hex(auth::hmac_sha256(kSecret, std::string(key) + '\n' + std::string(expires)));
}

// verify_media_url against the oracle: it accepts exactly the right signature of a well-formed URL, and says
// `expired` only then.
void check_verdict(std::string_view key, std::string_view expires, std::string_view sig) {
    const auto verdict = auth::verify_media_url(kSecret, key, expires, sig, kNow);
    const bool authentic = !key.empty() && is_digits(expires) && expires.size() <= 10 && sig.size() == 64 &&
                           lower_case(sig) == expected_sig(key, expires);
    if (!authentic) {
        INBOX_FUZZ_CHECK(verdict == MediaUrlCheck::invalid_signature);
        return;
    }
    const bool current = kNowSeconds < std::stoll(std::string(expires));  // in seconds: 10 digits pass year 2262
    INBOX_FUZZ_CHECK(verdict == (current ? MediaUrlCheck::ok : MediaUrlCheck::expired));
}

// sign_media_path → the URL as the server reads it (router, query parameters) → verify_media_url.
void check_round_trip(std::string_view key, std::uint64_t number) {
    if (key.empty()) return;  // refused by contract (std::invalid_argument)
    const seconds expires{static_cast<std::int64_t>(number % 9'000'000'000)};  // a time_point holds ~year 2262
    const auto url = auth::sign_media_path(kSecret, key, auth::TimePoint{expires});

    http::Request request;
    request.message.method(http::Verb::get);
    request.message.target(url);
    const auto parsed = boost::urls::parse_origin_form(url);
    INBOX_FUZZ_CHECK(parsed.has_value() && parsed->path() == "/media/" + std::string(key));
    const auto expires_param = request.query_param("expires");
    const auto sig_param = request.query_param("sig");
    INBOX_FUZZ_CHECK(expires_param == std::to_string(expires.count()) && sig_param.has_value());
    if (key.find('/') == std::string_view::npos) {  // one path segment: /media/{key} routes it
        auto match = inbox::fuzz::api_router().match(http::Verb::get, http::target_path(url));
        INBOX_FUZZ_CHECK(match.kind == http::RouteMatch::Kind::found);
        INBOX_FUZZ_CHECK(match.params.size() == 1 && match.params[0].second == key);
    }
    const auto current = kNow < auth::TimePoint{expires};
    INBOX_FUZZ_CHECK(auth::verify_media_url(kSecret, key, *expires_param, *sig_param, kNow) ==
                     (current ? MediaUrlCheck::ok : MediaUrlCheck::expired));
    INBOX_FUZZ_CHECK(auth::verify_media_url("another secret", key, *expires_param, *sig_param, kNow) ==
                     MediaUrlCheck::invalid_signature);
}

void check_range(std::string_view header, std::uint64_t size) {
    const auto range = http::parse_byte_range(header, size);
    switch (range.kind) {
        case http::ByteRange::Kind::satisfiable:
            INBOX_FUZZ_CHECK(size > 0 && range.first <= range.last && range.last < size);
            INBOX_FUZZ_CHECK(range.length() >= 1 && range.length() <= size);
            break;
        case http::ByteRange::Kind::unsatisfiable:
        case http::ByteRange::Kind::ignored:
            break;
    }
    if (range.kind != http::ByteRange::Kind::ignored) INBOX_FUZZ_CHECK(header.find("bytes=") != std::string_view::npos);
}

void check_etag(std::string_view if_none_match, std::string_view etag) {
    if (if_none_match == "*") INBOX_FUZZ_CHECK(http::etag_matches(if_none_match, etag));
    const bool plain = !etag.empty() && etag.find(',') == std::string_view::npos && !etag.starts_with("W/") &&
                       etag.find_first_of(" \t") == std::string_view::npos;
    if (!plain) return;
    INBOX_FUZZ_CHECK(http::etag_matches(etag, etag));
    INBOX_FUZZ_CHECK(http::etag_matches("W/" + std::string(etag), etag));
    INBOX_FUZZ_CHECK(http::etag_matches("\"other\", " + std::string(etag) + " ,W/\"x\"", etag));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto fields = split({reinterpret_cast<const char*>(data), size});
    const auto& [key, expires, sig, range, if_none_match, etag] = fields.lines;

    check_verdict(key, expires, sig);
    check_verdict(key, expires, expected_sig(key, expires));  // authentic unless key or expires is malformed
    check_round_trip(key, fields.number);

    for (const auto file_size :
         {fields.number, std::uint64_t{0}, std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()}) {
        check_range(range, file_size);
    }
    check_etag(if_none_match, etag);
    check_etag(if_none_match, if_none_match);
    return 0;
}
