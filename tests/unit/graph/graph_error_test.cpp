#include "inbox/graph/graph_error.hpp"

#include <gtest/gtest.h>

namespace inbox::graph {
namespace {

std::optional<GraphError> error_with(int code, std::optional<int> subcode = std::nullopt) {
    GraphError error;
    error.code = code;
    error.subcode = subcode;
    return error;
}

TEST(ParseGraphError, ReadsEveryField) {
    const auto error = parse_graph_error(R"({"error":{"message":"(#131047) Re-engagement message",
        "type":"OAuthException","code":131047,"error_subcode":2494010,
        "error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours"},
        "fbtrace_id":"AbC123"}})");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, 131047);
    EXPECT_EQ(error->subcode, 2494010);
    EXPECT_EQ(error->type, "OAuthException");
    EXPECT_EQ(error->message, "(#131047) Re-engagement message");
    EXPECT_EQ(error->details, "Message failed to send because more than 24 hours");
    EXPECT_EQ(error->fbtrace_id, "AbC123");
}

TEST(ParseGraphError, OptionalFieldsMayBeMissing) {
    const auto error = parse_graph_error(R"({"error":{"code":2}})");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, 2);
    EXPECT_FALSE(error->subcode);
    EXPECT_EQ(error->details, "");
}

TEST(ParseGraphError, RejectsBodiesWithoutAnIntegerCode) {
    EXPECT_FALSE(parse_graph_error("<html>Bad gateway</html>"));
    EXPECT_FALSE(parse_graph_error(""));
    EXPECT_FALSE(parse_graph_error(R"({"error":"nope"})"));
    EXPECT_FALSE(parse_graph_error(R"({"error":{"code":"100"}})"));
    EXPECT_FALSE(parse_graph_error(R"([1,2])"));
}

struct Case {
    int code;
    Verdict verdict;
};

class ClassifyCode : public ::testing::TestWithParam<Case> {};

TEST_P(ClassifyCode, KeysOnTheGraphCodeNotOnTheStatus) {
    const auto [code, verdict] = GetParam();
    for (const unsigned status : {400u, 401u, 404u, 500u, 503u}) {
        const auto result = classify(status, error_with(code));
        EXPECT_EQ(result.verdict, verdict) << "code " << code << " status " << status;
        EXPECT_EQ(result.breaker_failure, verdict == Verdict::unavailable && !is_account_throttling_code(code));
        EXPECT_EQ(result.retry_after_seconds > 0, verdict == Verdict::unavailable);
    }
}

INSTANTIATE_TEST_SUITE_P(TransientCodes, ClassifyCode,
                         ::testing::Values(Case{1, Verdict::unavailable}, Case{2, Verdict::unavailable},
                                           Case{4, Verdict::unavailable}, Case{17, Verdict::unavailable},
                                           Case{341, Verdict::unavailable}, Case{80007, Verdict::unavailable},
                                           Case{130429, Verdict::unavailable}, Case{131000, Verdict::unavailable},
                                           Case{131016, Verdict::unavailable}, Case{131056, Verdict::unavailable}));

INSTANTIATE_TEST_SUITE_P(PermanentCodes, ClassifyCode,
                         ::testing::Values(Case{100, Verdict::refused}, Case{131008, Verdict::refused},
                                           Case{131009, Verdict::refused}, Case{131026, Verdict::refused},
                                           Case{131030, Verdict::refused}, Case{131047, Verdict::refused},
                                           Case{131051, Verdict::refused}, Case{132000, Verdict::refused},
                                           Case{132001, Verdict::refused}, Case{190, Verdict::refused}));

TEST(Classify, UnknownCodesFollowTheHttpStatus) {
    EXPECT_EQ(classify(400, error_with(99999)).verdict, Verdict::refused);
    EXPECT_EQ(classify(500, error_with(99999)).verdict, Verdict::unavailable);
    EXPECT_EQ(classify(429, error_with(99999)).verdict, Verdict::unavailable);
}

TEST(Classify, BodiesWithoutAGraphErrorFollowTheHttpStatus) {
    EXPECT_EQ(classify(502, std::nullopt).verdict, Verdict::unavailable);
    EXPECT_TRUE(classify(503, std::nullopt).breaker_failure);
    EXPECT_EQ(classify(429, std::nullopt).verdict, Verdict::unavailable);
    EXPECT_EQ(classify(404, std::nullopt).verdict, Verdict::refused);
    EXPECT_FALSE(classify(401, std::nullopt).breaker_failure);
}

TEST(Classify, AnAccountsThrottlingIsNoBreakerFailureButTheAppsIs) {
    for (const int code : {80007, 130429, 131056}) {
        EXPECT_EQ(classify(400, error_with(code)).verdict, Verdict::unavailable) << code;
        EXPECT_FALSE(classify(400, error_with(code)).breaker_failure) << code;
    }
    for (const int code : {4, 17, 341}) EXPECT_TRUE(classify(400, error_with(code)).breaker_failure) << code;
}

TEST(Classify, ThrottlingAsksToWaitLongerThanAnOutage) {
    EXPECT_GT(classify(400, error_with(130429)).retry_after_seconds, classify(500, error_with(1)).retry_after_seconds);
    EXPECT_GT(classify(400, error_with(131056)).retry_after_seconds, classify(503, std::nullopt).retry_after_seconds);
}

TEST(Classify, ObjectDoesNotExistIsARefusalMarkedMissing) {
    const auto expired = classify(400, error_with(100, 33));
    EXPECT_EQ(expired.verdict, Verdict::refused);
    EXPECT_TRUE(expired.object_missing);
    EXPECT_FALSE(classify(400, error_with(100)).object_missing);
    EXPECT_FALSE(classify(400, error_with(100, 34)).object_missing);
    EXPECT_FALSE(classify(400, error_with(131047, 33)).object_missing);
}

TEST(Classify, ExpiredMediaBodyFromMetaIsMissing) {
    const auto error =
        parse_graph_error(R"({"error":{"message":"Unsupported get request. Object with ID '123' does not exist",)"
                          R"("type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"X"}})");
    ASSERT_TRUE(error);
    EXPECT_TRUE(is_object_missing(*error));
    EXPECT_TRUE(classify(400, error).object_missing);
}

}  // namespace
}  // namespace inbox::graph
