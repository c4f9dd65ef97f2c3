#include "inbox/auth/jwt.hpp"

#include <gtest/gtest.h>

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "inbox/auth/base64.hpp"
#include "inbox/auth/hmac.hpp"

namespace inbox::auth {

void PrintTo(JwtError error, std::ostream* os) { *os << to_string(error); }

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::string_view kSecret = "test-jwt-secret-0123456789abcdef";
constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";
const TimePoint kNow{std::chrono::seconds{1'800'000'000}};

std::int64_t unix_at(TimePoint time) {
    return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::string encoded_signature(std::string_view signing_input, std::string_view secret) {
    const Sha256Digest mac = hmac_sha256(secret, signing_input);
    return base64url_encode(std::string_view{reinterpret_cast<const char*>(mac.data()), mac.size()});
}

// A token built by hand, so each test controls exactly which rule it breaks.
std::string hs256_token(std::string_view header_json, std::string_view payload_json,
                        std::string_view secret = kSecret) {
    const std::string signing_input = base64url_encode(header_json) + '.' + base64url_encode(payload_json);
    return signing_input + '.' + encoded_signature(signing_input, secret);
}

std::string token_with_claims(const json& claims) { return hs256_token(kHs256Header, claims.dump()); }

json valid_claims() { return {{"sub", "user-42"}, {"iat", unix_at(kNow)}, {"exp", unix_at(kNow + 1h)}}; }

JwtError rejection(const JwtResult& result) {
    if (result.ok()) {
        ADD_FAILURE() << "token was accepted for subject " << result.claims().subject;
        return JwtError::malformed;
    }
    return result.error();
}

// --- accepted ---

TEST(Jwt, MintedTokenVerifiesWithSubjectAndExpiry) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    const JwtResult result = verify_jwt(kSecret, token, kNow);
    ASSERT_TRUE(result.ok()) << to_string(result.error());
    EXPECT_EQ(result.claims().subject, "user-42");
    EXPECT_EQ(result.claims().expires_at, kNow + 3600s);
}

TEST(Jwt, MintedTokenCarriesSubIatExpWithHs256Header) {
    const std::string token = mint_jwt(kSecret, "user-42", 60s, kNow + 500ms);
    const auto first_dot = token.find('.');
    const auto second_dot = token.find('.', first_dot + 1);
    const json header = json::parse(*base64url_decode(token.substr(0, first_dot)));
    const json payload = json::parse(*base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1)));
    EXPECT_EQ(header, json({{"alg", "HS256"}, {"typ", "JWT"}}));
    EXPECT_EQ(payload, json({{"sub", "user-42"}, {"iat", unix_at(kNow)}, {"exp", unix_at(kNow) + 60}}));
}

TEST(Jwt, HandBuiltTokenWithAllValidClaimsIsAccepted) {
    json claims = valid_claims();
    claims["nbf"] = unix_at(kNow);
    claims["name"] = "extra claims are ignored";
    const JwtResult result = verify_jwt(kSecret, token_with_claims(claims), kNow);
    ASSERT_TRUE(result.ok()) << to_string(result.error());
    EXPECT_EQ(result.claims().subject, "user-42");
}

TEST(Jwt, FractionalNumericDatesAreAccepted) {
    json claims = valid_claims();
    claims["exp"] = static_cast<double>(unix_at(kNow + 1h)) + 0.5;
    EXPECT_TRUE(verify_jwt(kSecret, token_with_claims(claims), kNow).ok());
}

TEST(Jwt, TokenMintedByCppJwtIsAccepted) {
    const auto now = std::chrono::system_clock::now();
    jwt::jwt_object object{jwt::params::algorithm("HS256"), jwt::params::secret(std::string{kSecret}),
                           jwt::params::payload({{"sub", "interop-user"}})};
    object.add_claim("iat", now).add_claim("exp", now + 10min);
    const JwtResult result = verify_jwt(kSecret, object.signature(), now);
    ASSERT_TRUE(result.ok()) << to_string(result.error());
    EXPECT_EQ(result.claims().subject, "interop-user");
}

TEST(Jwt, MintedTokenIsAcceptedByCppJwt) {
    const auto now = std::chrono::system_clock::now();
    std::error_code error;
    const auto decoded = jwt::decode(mint_jwt(kSecret, "user-42", 600s, now), jwt::params::algorithms({"HS256"}), error,
                                     jwt::params::secret(std::string{kSecret}));
    ASSERT_FALSE(error) << error.message();
    EXPECT_EQ(decoded.payload().get_claim_value<std::string>("sub"), "user-42");
}

// --- time claims ---

TEST(Jwt, ExpiredTokenIsRejected) {
    json claims = valid_claims();
    claims["exp"] = unix_at(kNow - 61s);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::expired);
}

TEST(Jwt, TokenExpiredWithinLeewayIsAccepted) {
    json claims = valid_claims();
    claims["exp"] = unix_at(kNow - 59s);
    EXPECT_TRUE(verify_jwt(kSecret, token_with_claims(claims), kNow).ok());
}

TEST(Jwt, TokenIsRejectedExactlyWhenLeewayRunsOut) {
    const std::string token = mint_jwt(kSecret, "user-42", 10s, kNow);
    EXPECT_TRUE(verify_jwt(kSecret, token, kNow + 10s + kJwtLeeway - 1ms).ok());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow + 10s + kJwtLeeway)), JwtError::expired);
}

TEST(Jwt, NotBeforeBeyondLeewayIsRejected) {
    json claims = valid_claims();
    claims["nbf"] = unix_at(kNow + 61s);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::not_yet_valid);
}

TEST(Jwt, NotBeforeWithinLeewayIsAccepted) {
    json claims = valid_claims();
    claims["nbf"] = unix_at(kNow + 60s);
    EXPECT_TRUE(verify_jwt(kSecret, token_with_claims(claims), kNow).ok());
}

TEST(Jwt, IssuedAtBeyondLeewayInTheFutureIsRejected) {
    json claims = valid_claims();
    claims["iat"] = unix_at(kNow + 61s);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::issued_in_future);
}

TEST(Jwt, IssuedAtWithinLeewayIsAccepted) {
    json claims = valid_claims();
    claims["iat"] = unix_at(kNow + 60s);
    EXPECT_TRUE(verify_jwt(kSecret, token_with_claims(claims), kNow).ok());
}

TEST(Jwt, TimeIsTheInjectedNowNotTheWallClock) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow + 2h)), JwtError::expired);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow - 2h)), JwtError::issued_in_future);
}

TEST(Jwt, MissingExpiryIsRejected) {
    json claims = valid_claims();
    claims.erase("exp");
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::missing_expiry);
}

TEST(Jwt, NonNumericOrOutOfRangeDatesAreMalformed) {
    for (const json& exp : {json("1800003600"), json(nullptr), json(true), json(-1), json(1e300),
                            json(std::uint64_t{18'000'000'000'000'000'000u})}) {
        json claims = valid_claims();
        claims["exp"] = exp;
        EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::malformed) << exp;
    }
    json claims = valid_claims();
    claims["nbf"] = "soon";
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::malformed);
}

// --- subject ---

TEST(Jwt, MissingSubjectIsRejected) {
    json claims = valid_claims();
    claims.erase("sub");
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::missing_subject);
}

TEST(Jwt, EmptySubjectIsRejected) {
    json claims = valid_claims();
    claims["sub"] = "";
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::missing_subject);
}

TEST(Jwt, NonStringSubjectIsMalformed) {
    json claims = valid_claims();
    claims["sub"] = 42;
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::malformed);
}

// --- algorithm ---

TEST(Jwt, AlgNoneWithEmptySignatureIsRejected) {
    const std::string token =
        base64url_encode(R"({"alg":"none","typ":"JWT"})") + '.' + base64url_encode(valid_claims().dump()) + '.';
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::algorithm_not_allowed);
}

TEST(Jwt, AlgNoneWithoutSignatureSegmentIsRejected) {
    const std::string token =
        base64url_encode(R"({"alg":"none","typ":"JWT"})") + '.' + base64url_encode(valid_claims().dump());
    EXPECT_FALSE(verify_jwt(kSecret, token, kNow).ok());
}

TEST(Jwt, AlgNoneInOtherCasesIsRejected) {
    for (const char* alg : {"None", "NONE", "nOnE"}) {
        const std::string header = json({{"alg", alg}, {"typ", "JWT"}}).dump();
        const std::string token = base64url_encode(header) + '.' + base64url_encode(valid_claims().dump()) + '.';
        EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::algorithm_not_allowed) << alg;
    }
}

TEST(Jwt, Hs512SignedWithTheRightKeyIsRejected) {
    jwt::jwt_object object{jwt::params::algorithm("HS512"), jwt::params::secret(std::string{kSecret}),
                           jwt::params::payload({{"sub", "user-42"}})};
    object.add_claim("iat", kNow).add_claim("exp", kNow + 1h);
    EXPECT_EQ(rejection(verify_jwt(kSecret, object.signature(), kNow)), JwtError::algorithm_not_allowed);
}

TEST(Jwt, Hs384HeaderIsRejected) {
    const std::string token = hs256_token(R"({"alg":"HS384","typ":"JWT"})", valid_claims().dump());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::algorithm_not_allowed);
}

TEST(Jwt, Rs256HeaderIsRejectedEvenWhenHmacSignedWithOurSecret) {
    // The classic key-confusion attack: an RS256 header over an HMAC made with what the server holds.
    const std::string token = hs256_token(R"({"alg":"RS256","typ":"JWT"})", valid_claims().dump());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::algorithm_not_allowed);
}

TEST(Jwt, HeaderWithoutAlgIsMalformed) {
    const std::string token = hs256_token(R"({"typ":"JWT"})", valid_claims().dump());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::malformed);
}

TEST(Jwt, CriticalHeaderExtensionIsRejected) {
    const std::string token = hs256_token(R"({"alg":"HS256","crit":["b64"],"b64":false})", valid_claims().dump());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::malformed);
}

// --- signature ---

TEST(Jwt, TokenSignedWithAnotherKeyIsRejected) {
    const std::string token = mint_jwt("some-other-secret", "user-42", 3600s, kNow);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::bad_signature);
}

TEST(Jwt, TamperedPayloadIsRejected) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    const auto first_dot = token.find('.');
    const auto second_dot = token.find('.', first_dot + 1);
    json claims = json::parse(*base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1)));
    claims["sub"] = "admin";
    const std::string forged =
        token.substr(0, first_dot + 1) + base64url_encode(claims.dump()) + token.substr(second_dot);
    EXPECT_EQ(rejection(verify_jwt(kSecret, forged, kNow)), JwtError::bad_signature);
}

TEST(Jwt, ShortOrEmptySignatureIsRejected) {
    const std::string signing_input = base64url_encode(kHs256Header) + '.' + base64url_encode(valid_claims().dump());
    const Sha256Digest mac = hmac_sha256(kSecret, signing_input);
    const std::string half = base64url_encode(std::string_view{reinterpret_cast<const char*>(mac.data()), 16});
    EXPECT_EQ(rejection(verify_jwt(kSecret, signing_input + '.' + half, kNow)), JwtError::bad_signature);
    EXPECT_EQ(rejection(verify_jwt(kSecret, signing_input + '.', kNow)), JwtError::bad_signature);
}

TEST(Jwt, FlippedSignatureBitIsRejected) {
    std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    char& c = token[token.size() - 5];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::bad_signature);
}

TEST(Jwt, SignatureWithPaddingOrBadCharactersIsMalformed) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token + "=", kNow)), JwtError::malformed);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token + "!", kNow)), JwtError::malformed);
}

// --- structure ---

TEST(Jwt, GarbageTokensAreMalformed) {
    for (const std::string_view token : {"", ".", "..", "...", "garbage", "a.b.c", "Bearer x.y.z", "\xff\xfe.a.b"}) {
        EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::malformed) << token;
    }
}

TEST(Jwt, TwoPartTokenIsMalformed) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token.substr(0, token.rfind('.')), kNow)), JwtError::malformed);
}

TEST(Jwt, FourPartTokenIsMalformed) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    EXPECT_EQ(rejection(verify_jwt(kSecret, token + ".e30", kNow)), JwtError::malformed);
}

TEST(Jwt, NonJsonHeaderIsMalformed) {
    const std::string token = hs256_token("not json", valid_claims().dump());
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::malformed);
}

TEST(Jwt, NonJsonPayloadWithValidSignatureIsMalformed) {
    const std::string token = hs256_token(kHs256Header, "{\"sub\":\"user-42\",");
    EXPECT_EQ(rejection(verify_jwt(kSecret, token, kNow)), JwtError::malformed);
}

TEST(Jwt, JsonThatIsNotAnObjectIsMalformed) {
    EXPECT_EQ(rejection(verify_jwt(kSecret, hs256_token(kHs256Header, "[1,2]"), kNow)), JwtError::malformed);
    EXPECT_EQ(rejection(verify_jwt(kSecret, hs256_token(R"("HS256")", valid_claims().dump()), kNow)),
              JwtError::malformed);
}

TEST(Jwt, EveryPrefixOfAValidTokenIsRejected) {
    const std::string token = mint_jwt(kSecret, "user-42", 3600s, kNow);
    for (std::size_t length = 0; length < token.size(); ++length) {
        EXPECT_FALSE(verify_jwt(kSecret, token.substr(0, length), kNow).ok()) << length;
    }
}

TEST(Jwt, OversizedTokenIsMalformed) {
    json claims = valid_claims();
    claims["padding"] = std::string(10'000, 'x');
    EXPECT_EQ(rejection(verify_jwt(kSecret, token_with_claims(claims), kNow)), JwtError::malformed);
}

// --- misuse ---

TEST(Jwt, EmptySecretIsABug) {
    EXPECT_THROW(mint_jwt("", "user-42", 60s, kNow), std::invalid_argument);
    EXPECT_THROW(verify_jwt("", "a.b.c", kNow), std::invalid_argument);
}

TEST(Jwt, MintingWithoutSubjectOrWithNonPositiveTtlIsABug) {
    EXPECT_THROW(mint_jwt(kSecret, "", 60s, kNow), std::invalid_argument);
    EXPECT_THROW(mint_jwt(kSecret, "user-42", 0s, kNow), std::invalid_argument);
}

TEST(Jwt, EveryErrorHasAName) {
    EXPECT_EQ(to_string(JwtError::malformed), "malformed");
    EXPECT_EQ(to_string(JwtError::bad_signature), "bad_signature");
    EXPECT_EQ(to_string(JwtError::algorithm_not_allowed), "algorithm_not_allowed");
    EXPECT_EQ(to_string(JwtError::expired), "expired");
    EXPECT_EQ(to_string(JwtError::not_yet_valid), "not_yet_valid");
    EXPECT_EQ(to_string(JwtError::missing_expiry), "missing_expiry");
    EXPECT_EQ(to_string(JwtError::missing_subject), "missing_subject");
    EXPECT_EQ(to_string(JwtError::issued_in_future), "issued_in_future");
}

}  // namespace
}  // namespace inbox::auth
