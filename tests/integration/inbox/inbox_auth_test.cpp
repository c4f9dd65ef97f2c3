// Object-level authorisation (BOLA) and bearer authentication of every inbox and template route, over HTTP.
#include <gtest/gtest.h>

#include <chrono>

#include "inbox/auth/base64.hpp"
#include "inbox/auth/hmac.hpp"
#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using nlohmann::json;

struct Route {
    std::string method;
    std::string target;
};

class InboxAuthTest : public InboxFixture {
protected:
    void SetUp() override {
        conversation_a = add_conversation(account_a, "now()", "open", 2, "now() - interval '1 hour'");
        message_a = add_message(account_a, conversation_a);
        db.execute("INSERT INTO message_templates (account_id, name, language, status) VALUES ('" + account_a +
                   "', 'welcome', 'en_US', 'APPROVED')");
    }

    // Every route that takes an id, all pointed at account A's objects.
    std::vector<Route> routes_of_a() const {
        return {{"GET", "/accounts/" + account_a + "/conversations"},
                {"GET", "/accounts/" + account_a + "/conversations?status=all"},
                {"GET", "/conversations/" + conversation_a},
                {"GET", "/conversations/" + conversation_a + "/messages"},
                {"GET", "/conversations/" + conversation_a + "/messages?before=" + message_a},
                {"POST", "/conversations/" + conversation_a + "/read"},
                {"GET", "/accounts/" + account_a + "/templates"},
                {"POST", "/accounts/" + account_a + "/templates/sync"}};
    }

    RawResponse call(const Route& route, const std::vector<std::pair<std::string, std::string>>& headers) {
        return http_request(server_.port(), route.method, route.target, headers);
    }

    std::string conversation_a;
    std::string message_a;
};

TEST_F(InboxAuthTest, AMemberOfAnotherAccountGetsNotFoundForEveryRouteAndChangesNothing) {
    // Warm the cache as alice, so a cached row cannot leak either.
    ASSERT_EQ(get("/conversations/" + conversation_a, alice).status, 200);
    for (const auto& route : routes_of_a()) {
        SCOPED_TRACE(route.method + " " + route.target);
        auto response = call(route, {{"Authorization", "Bearer " + bob}});
        EXPECT_EQ(response.status, 404) << response.body;
        EXPECT_EQ(json_of(response)["error"]["code"], "not_found");
        EXPECT_EQ(response.body.find(conversation_a), std::string::npos);
    }
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations WHERE id = '" + conversation_a + "'"), "2");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM message_templates"), "1");
    // And alice still sees her conversation unchanged.
    EXPECT_EQ(json_of(get("/conversations/" + conversation_a, alice))["unread_count"], 2);
}

TEST_F(InboxAuthTest, AnotherAccountsObjectAnswersExactlyLikeAMissingOne) {
    const std::string missing = "5d2c8f8e-1111-4111-8111-111111111111";
    auto foreign = get("/conversations/" + conversation_a, bob);
    auto absent = get("/conversations/" + missing, bob);
    EXPECT_EQ(foreign.status, absent.status);
    EXPECT_EQ(json_of(foreign)["error"]["message"], json_of(absent)["error"]["message"]);
    auto foreign_account = get("/accounts/" + account_a + "/conversations", bob);
    auto absent_account = get("/accounts/" + missing + "/conversations", bob);
    EXPECT_EQ(foreign_account.status, 404);
    EXPECT_EQ(json_of(foreign_account)["error"]["message"], json_of(absent_account)["error"]["message"]);
    EXPECT_EQ(post("/conversations/" + missing + "/read", alice).status, 404);
    EXPECT_EQ(get("/conversations/" + missing + "/messages", alice).status, 404);
}

// Tokens built by hand, each breaking one rule.
std::string signed_token(const json& header, const json& claims, const std::string& secret = kJwtSecret) {
    const auto input = auth::base64url_encode(header.dump()) + "." + auth::base64url_encode(claims.dump());
    const auto mac = auth::hmac_sha256(secret, input);
    return input + "." +
           auth::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST_F(InboxAuthTest, InvalidBearerTokensAre401WithWwwAuthenticateOnEveryRoute) {
    const json hs256 = {{"alg", "HS256"}, {"typ", "JWT"}};
    const auto now = unix_now();
    const json valid = {{"sub", alice_id}, {"iat", now}, {"exp", now + 3600}};
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> cases{
        {"expired", {{"Authorization", "Bearer " + signed_token(hs256, {{"sub", alice_id}, {"exp", now - 120}})}}},
        {"not yet valid",
         {{"Authorization",
           "Bearer " + signed_token(hs256, {{"sub", alice_id}, {"nbf", now + 120}, {"exp", now + 3600}})}}},
        {"alg none",
         {{"Authorization", "Bearer " + auth::base64url_encode(json({{"alg", "none"}, {"typ", "JWT"}}).dump()) + "." +
                                auth::base64url_encode(valid.dump()) + "."}}},
        {"alg HS512", {{"Authorization", "Bearer " + signed_token({{"alg", "HS512"}, {"typ", "JWT"}}, valid)}}},
        {"wrong key", {{"Authorization", "Bearer " + signed_token(hs256, valid, "another-secret-entirely-000000")}}},
        {"missing exp", {{"Authorization", "Bearer " + signed_token(hs256, {{"sub", alice_id}, {"iat", now}})}}},
        {"missing header", {}},
        {"not bearer", {{"Authorization", "Basic " + alice}}},
        {"garbage", {{"Authorization", "Bearer not.a.jwt"}}},
    };
    for (const auto& route : routes_of_a()) {
        for (const auto& [name, headers] : cases) {
            SCOPED_TRACE(name + " → " + route.method + " " + route.target);
            auto response = call(route, headers);
            EXPECT_EQ(response.status, 401);
            EXPECT_EQ(response.header("WWW-Authenticate"), "Bearer");
            EXPECT_EQ(json_of(response)["error"]["code"], "unauthorized");
        }
    }
    EXPECT_EQ(db.query_value("SELECT unread_count FROM conversations WHERE id = '" + conversation_a + "'"), "2");
}

TEST_F(InboxAuthTest, TokensWithinTheLeewayAreAccepted) {
    const json hs256 = {{"alg", "HS256"}, {"typ", "JWT"}};
    const auto now = unix_now();
    auto just_expired = signed_token(hs256, {{"sub", alice_id}, {"exp", now - 30}});
    auto nearly_valid = signed_token(hs256, {{"sub", alice_id}, {"nbf", now + 30}, {"exp", now + 3600}});
    EXPECT_EQ(get("/conversations/" + conversation_a, just_expired).status, 200);
    EXPECT_EQ(get("/conversations/" + conversation_a, nearly_valid).status, 200);
}

}  // namespace
}  // namespace inbox::testing
