#include "inbox/domain/json_limits.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

constexpr JsonLimits kSmall{.max_depth = 3, .max_values = 10};

TEST(JsonLimits, ShapesWithinTheLimitsPass) {
    EXPECT_FALSE(json_limit_exceeded(R"({"a": [1, {"b": 2}]})", kSmall));
    EXPECT_FALSE(json_limit_exceeded("[1,2,3,4,5,6,7,8,9]", kSmall));
    EXPECT_FALSE(json_limit_exceeded("", kSmall));
}

TEST(JsonLimits, DepthPastTheLimitIsNamed) {
    auto exceeded = json_limit_exceeded("[[[[1]]]]", kSmall);
    ASSERT_TRUE(exceeded);
    EXPECT_EQ(*exceeded, "JSON nested deeper than 3 levels");
    EXPECT_TRUE(json_limit_exceeded(std::string(1'000'000, '['), kApiBodyJsonLimits));
}

TEST(JsonLimits, ValuesPastTheLimitAreNamed) {
    auto exceeded = json_limit_exceeded("[1,2,3,4,5,6,7,8,9,10]", kSmall);
    ASSERT_TRUE(exceeded);
    EXPECT_EQ(*exceeded, "JSON with more than 10 values");
    std::string tiny = "[0";
    for (int i = 0; i < 400'000; ++i) tiny += ",0";
    EXPECT_TRUE(json_limit_exceeded(tiny + "]", kApiBodyJsonLimits));
    EXPECT_FALSE(json_limit_exceeded(tiny + "]", kWebhookJsonLimits));
}

TEST(JsonLimits, BracketsAndCommasInsideStringsDoNotCount) {
    EXPECT_FALSE(json_limit_exceeded(R"(["[[[[,,,,,,,,,,,,{{{{"])", kSmall));
    EXPECT_FALSE(json_limit_exceeded(R"(["a \" [[[[[[ ,,,,,,,,,,,, \\", "x"])", kSmall));
    EXPECT_TRUE(json_limit_exceeded(R"(["\\", [[[[1]]]]])", kSmall)) << "an escaped backslash ends before the quote";
}

TEST(JsonLimits, ClosingMoreThanOpenedNeverUnderflows) { EXPECT_FALSE(json_limit_exceeded("]]]]}}}}[1]", kSmall)); }

}  // namespace
}  // namespace inbox::domain
