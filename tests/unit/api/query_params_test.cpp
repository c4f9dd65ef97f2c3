#include "inbox/api/query_params.hpp"

#include <gtest/gtest.h>

#include "inbox/domain/time.hpp"
#include "api_error_of.hpp"
#include "inbox/http/api_error.hpp"
#include "inbox/http/types.hpp"

namespace inbox::api {
namespace {

using Opt = std::optional<std::string>;

using testing::error_of;

TEST(ParseIntInRange, AcceptsPlainDecimalsWithinBounds) {
    EXPECT_EQ(parse_int_in_range("1", 1, 200), 1);
    EXPECT_EQ(parse_int_in_range("200", 1, 200), 200);
    EXPECT_EQ(parse_int_in_range("007", 1, 200), 7);
    EXPECT_EQ(parse_int_in_range("0", 0, 5), 0);
}

TEST(ParseIntInRange, RejectsEverythingElse) {
    for (const char* text : {"", "0", "201", "-1", "+1", " 1", "1 ", "1.0", "1e2", "abc", "0x10", "99999999999",
                             "2147483648", "12345678901234567890"}) {
        EXPECT_FALSE(parse_int_in_range(text, 1, 200).has_value()) << "'" << text << "'";
    }
}

TEST(ParsePage, DefaultsAreFiftyAndZero) {
    const auto page = parse_page(std::nullopt, std::nullopt);
    EXPECT_EQ(page.limit, 50);
    EXPECT_EQ(page.offset, 0);
}

TEST(ParsePage, TakesValuesWithinBounds) {
    const auto page = parse_page(Opt("200"), Opt("100000"));
    EXPECT_EQ(page.limit, 200);
    EXPECT_EQ(page.offset, 100000);
}

TEST(ParsePage, OutOfRangeValuesAreInvalidParametersNamingTheParameter) {
    for (const char* limit : {"0", "201", "-1", "abc", ""}) {
        auto error = error_of([&] { parse_page(Opt(limit), std::nullopt); });
        EXPECT_EQ(error.status(), http::Status::bad_request);
        EXPECT_EQ(error.code(), "invalid_parameter");
        EXPECT_NE(error.message().find("limit"), std::string::npos) << error.message();
    }
    for (const char* offset : {"-1", "100001", "x", ""}) {
        auto error = error_of([&] { parse_page(std::nullopt, Opt(offset)); });
        EXPECT_EQ(error.code(), "invalid_parameter");
        EXPECT_NE(error.message().find("offset"), std::string::npos) << error.message();
    }
}

TEST(ParseConversationFilter, OpenByDefaultThenClosedAndAll) {
    EXPECT_EQ(parse_conversation_filter(std::nullopt), domain::ConversationFilter::open);
    EXPECT_EQ(parse_conversation_filter(Opt("open")), domain::ConversationFilter::open);
    EXPECT_EQ(parse_conversation_filter(Opt("closed")), domain::ConversationFilter::closed);
    EXPECT_EQ(parse_conversation_filter(Opt("all")), domain::ConversationFilter::all);
    for (const char* status : {"", "Open", "ALL", "pending"}) {
        auto error = error_of([&] { parse_conversation_filter(Opt(status)); });
        EXPECT_EQ(error.code(), "invalid_parameter");
        EXPECT_NE(error.message().find("status"), std::string::npos);
    }
}

TEST(ParseBefore, AbsentMeansNoCursor) {
    const auto cursor = parse_before(std::nullopt);
    EXPECT_FALSE(cursor.before_time || cursor.before_message_id);
}

TEST(ParseBefore, AUuidIsAMessageIdInLowerCase) {
    const auto cursor = parse_before(Opt("0B7E5A4C-AAAA-4BBB-8CCC-DDDDDDDDDDDD"));
    EXPECT_EQ(cursor.before_message_id, "0b7e5a4c-aaaa-4bbb-8ccc-dddddddddddd");
    EXPECT_FALSE(cursor.before_time);
}

TEST(ParseBefore, AnRfc3339TimeIsATimeCursor) {
    const auto cursor = parse_before(Opt("2026-11-24T10:00:00+01:00"));
    ASSERT_TRUE(cursor.before_time);
    EXPECT_EQ(domain::to_rfc3339(*cursor.before_time), "2026-11-24T09:00:00Z");
    EXPECT_FALSE(cursor.before_message_id);
}

TEST(ParseBefore, AnythingElseIsAnInvalidParameter) {
    for (const char* before : {"", "yesterday", "2026-11-24", "2026-11-24 10:00:00Z", "1700000000",
                               "0b7e5a4c-aaaa-4bbb-8ccc-ddddddddddd", "0b7e5a4caaaa4bbb8cccdddddddddddd"}) {
        auto error = error_of([&] { parse_before(Opt(before)); });
        EXPECT_EQ(error.code(), "invalid_parameter") << before;
        EXPECT_NE(error.message().find("before"), std::string::npos);
    }
}

TEST(Uuid, OnlyTheHyphenatedHexFormIsAccepted) {
    EXPECT_TRUE(is_uuid("0b7e5a4c-aaaa-4bbb-8ccc-dddddddddddd"));
    EXPECT_TRUE(is_uuid("0B7E5A4C-AAAA-4BBB-8CCC-DDDDDDDDDDDD"));
    for (const char* text :
         {"", "not-a-uuid", "0b7e5a4caaaa4bbb8cccdddddddddddd", "{0b7e5a4c-aaaa-4bbb-8ccc-dddddddddddd}",
          "0b7e5a4c-aaaa-4bbb-8ccc-ddddddddddd", "0b7e5a4c-aaaa-4bbb-8ccc-dddddddddddde",
          "0b7e5a4g-aaaa-4bbb-8ccc-dddddddddddd", "0b7e5a4c_aaaa-4bbb-8ccc-dddddddddddd"}) {
        EXPECT_FALSE(is_uuid(text)) << text;
    }
}

TEST(PathUuid, ANonUuidIdIsNotFound) {
    http::Request request;
    request.path_params = {{"conversation_id", "abc"}};
    auto error = error_of([&] { path_uuid(request, "conversation_id", "conversation"); });
    EXPECT_EQ(error.status(), http::Status::not_found);
    EXPECT_EQ(error.code(), "not_found");
    EXPECT_EQ(error.message(), "conversation not found");

    request.path_params = {{"conversation_id", "0B7E5A4C-AAAA-4BBB-8CCC-DDDDDDDDDDDD"}};
    EXPECT_EQ(path_uuid(request, "conversation_id", "conversation"), "0b7e5a4c-aaaa-4bbb-8ccc-dddddddddddd");
}

}  // namespace
}  // namespace inbox::api
