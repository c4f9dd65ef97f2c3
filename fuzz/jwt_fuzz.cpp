// Bearer tokens (auth/jwt.hpp). A fuzzer cannot forge an HMAC, so besides the input as a token, the input is also
// signed with the secret the way an issuer would, which takes hostile headers and claims past the signature check:
//   - the input as a token;
//   - the input as a signing input ("header.payload"), with our signature appended;
//   - the input as "header JSON\npayload JSON", each Base64url-encoded, then signed;
//   - the input as a subject: what mint_jwt issues verifies to that subject until exactly exp + leeway.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "inbox/auth/base64.hpp"
#include "inbox/auth/hmac.hpp"
#include "inbox/auth/jwt.hpp"
#include "support/check.hpp"

namespace {

namespace auth = inbox::auth;
using std::chrono::seconds;

constexpr std::string_view kSecret = "jwt secret of the fuzz target, 32+ bytes";
constexpr std::string_view kOtherSecret = "another secret, another issuer, 32+ bytes";
constexpr seconds kTokenLifetime{3600};
// Real clocks, and the edges of what the verifier accepts as a NumericDate (0 to 9e9 s).
const auth::TimePoint kNow{seconds{1'764'000'000}};
const auth::TimePoint kTimes[] = {auth::TimePoint{}, kNow, auth::TimePoint{seconds{9'000'000'000}}};

std::string signed_token(std::string_view signing_input) {
    const auto signature = auth::hmac_sha256(kSecret, signing_input);
    return std::string(signing_input) + '.' +
           auth::base64url_encode({reinterpret_cast<const char*>(signature.data()), signature.size()});
}

// Whatever the token, a verdict: accepted claims are complete and current, and no other secret accepts them.
void check_verdicts(std::string_view token) {
    for (const auto now : kTimes) {
        const auto result = auth::verify_jwt(kSecret, token, now);
        if (!result) {
            INBOX_FUZZ_CHECK(!auth::to_string(result.error()).empty());
            continue;
        }
        INBOX_FUZZ_CHECK(!result.claims().subject.empty());
        INBOX_FUZZ_CHECK(now < result.claims().expires_at + auth::kJwtLeeway);
        INBOX_FUZZ_CHECK(!auth::verify_jwt(kOtherSecret, token, now));
    }
}

void check_round_trip(std::string_view subject) {
    if (subject.empty()) return;  // refused by contract (std::invalid_argument)
    std::string token;
    try {
        token = auth::mint_jwt(kSecret, subject, kTokenLifetime, kNow);
    } catch (const nlohmann::json::type_error& error) {
        INBOX_FUZZ_CHECK(error.id == 316);  // a subject that is not UTF-8 cannot be a JSON string
        return;
    }
    const auto result = auth::verify_jwt(kSecret, token, kNow);
    if (token.size() > 8 * 1024) {  // verify_jwt's cap on token length
        INBOX_FUZZ_CHECK(!result && result.error() == auth::JwtError::malformed);
        return;
    }
    INBOX_FUZZ_CHECK(result && result.claims().subject == subject);
    INBOX_FUZZ_CHECK(result.claims().expires_at == kNow + kTokenLifetime);
    const auto last_valid = kNow + kTokenLifetime + auth::kJwtLeeway - seconds{1};
    INBOX_FUZZ_CHECK(auth::verify_jwt(kSecret, token, last_valid));
    const auto expired = auth::verify_jwt(kSecret, token, last_valid + seconds{1});
    INBOX_FUZZ_CHECK(!expired && expired.error() == auth::JwtError::expired);
    const auto forged = auth::verify_jwt(kOtherSecret, token, kNow);
    INBOX_FUZZ_CHECK(!forged && forged.error() == auth::JwtError::bad_signature);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    check_verdicts(input);
    check_verdicts(signed_token(input));
    if (const auto newline = input.find('\n'); newline != std::string_view::npos) {
        check_verdicts(signed_token(auth::base64url_encode(input.substr(0, newline)) + '.' +
                                    auth::base64url_encode(input.substr(newline + 1))));
    }
    check_round_trip(input);
    return 0;
}
