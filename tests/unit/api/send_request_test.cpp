#include "inbox/api/send_request.hpp"

#include <gtest/gtest.h>

#include "api_error_of.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

namespace inbox::api {
namespace {

using nlohmann::json;

constexpr const char* kConversation = "0f8fad5b-d9cb-469f-a165-70867728950e";

using testing::error_of;

http::Request with_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
    http::Request request;
    for (const auto& [name, value] : headers) request.message.insert(name, value);
    return request;
}

TEST(ParseSendBody, ReadsTheConversationAndTheText) {
    auto body = parse_send_body(json{{"conversation_id", kConversation}, {"text", "Hello"}, {"extra", 1}});
    EXPECT_EQ(body.conversation_id, kConversation);
    EXPECT_EQ(body.text, "Hello");
}

TEST(ParseSendBody, AnUpperCaseConversationIdIsNormalised) {
    auto body = parse_send_body(json{{"conversation_id", "0F8FAD5B-D9CB-469F-A165-70867728950E"}, {"text", "x"}});
    EXPECT_EQ(body.conversation_id, kConversation);
}

TEST(ParseSendBody, EveryBadFieldIsAValidationFailureNamingIt) {
    const std::vector<json> bodies = {
        json::object(),
        json{{"text", "x"}},
        json{{"conversation_id", 42}, {"text", "x"}},
        json{{"conversation_id", "not-a-uuid"}, {"text", "x"}},
        json{{"conversation_id", kConversation}},
        json{{"conversation_id", kConversation}, {"text", nullptr}},
        json{{"conversation_id", kConversation}, {"text", ""}},
        json{{"conversation_id", kConversation}, {"text", "   "}},
        json{{"conversation_id", kConversation}, {"text", std::string(4097, 'a')}},
    };
    for (const auto& body : bodies) {
        auto error = error_of([&] { parse_send_body(body); });
        EXPECT_EQ(error.status(), http::Status::unprocessable_entity) << body.dump();
        EXPECT_EQ(error.code(), "validation_failed") << body.dump();
        const bool names_field = error.message().find("conversation_id") != std::string::npos ||
                                 error.message().find("text") != std::string::npos;
        EXPECT_TRUE(names_field) << error.message();
    }
}

TEST(ParseIdempotencyKey, AbsentIsNone) { EXPECT_EQ(parse_idempotency_key(with_headers({})), std::nullopt); }

TEST(ParseIdempotencyKey, OneTo128PrintableCharactersAreAKey) {
    EXPECT_EQ(parse_idempotency_key(with_headers({{"Idempotency-Key", "a"}})), "a");
    const std::string longest(128, 'k');
    EXPECT_EQ(parse_idempotency_key(with_headers({{"Idempotency-Key", longest}})), longest);
    EXPECT_EQ(parse_idempotency_key(with_headers({{"idempotency-key", "send 1/2: ~ok!"}})), "send 1/2: ~ok!");
}

TEST(ParseIdempotencyKey, MalformedKeysAreInvalidParameters) {
    const std::vector<std::vector<std::pair<std::string, std::string>>> cases = {
        {{"Idempotency-Key", ""}},
        {{"Idempotency-Key", std::string(129, 'k')}},
        {{"Idempotency-Key", "caf\xC3\xA9"}},
        {{"Idempotency-Key", "tab\there"}},
        {{"Idempotency-Key", "one"}, {"Idempotency-Key", "two"}},
    };
    for (const auto& headers : cases) {
        auto error = error_of([&] { parse_idempotency_key(with_headers(headers)); });
        EXPECT_EQ(error.status(), http::Status::bad_request);
        EXPECT_EQ(error.code(), "invalid_parameter");
    }
}

}  // namespace
}  // namespace inbox::api
