#include "inbox/domain/time.hpp"

#include <gtest/gtest.h>

namespace inbox::domain {
namespace {

using namespace std::chrono_literals;

TimePoint unix_seconds(std::int64_t seconds) { return TimePoint{std::chrono::seconds{seconds}}; }

TEST(Rfc3339, FormatsUtcWithSecondsPrecision) {
    EXPECT_EQ(to_rfc3339(unix_seconds(1764000000)), "2025-11-24T16:00:00Z");
    EXPECT_EQ(to_rfc3339(unix_seconds(0)), "1970-01-01T00:00:00Z");
    EXPECT_EQ(to_rfc3339(unix_seconds(1764000000) + 999ms), "2025-11-24T16:00:00Z");
}

TEST(Rfc3339, FormatsMilliseconds) {
    EXPECT_EQ(to_rfc3339_millis(unix_seconds(1764000000) + 250ms), "2025-11-24T16:00:00.250Z");
    EXPECT_EQ(to_rfc3339_millis(unix_seconds(1764000000) + 1999us), "2025-11-24T16:00:00.001Z");
    EXPECT_EQ(to_rfc3339_millis(unix_seconds(-1) + 500ms), "1969-12-31T23:59:59.500Z");
}

TEST(Rfc3339, RoundTripsUtcTimes) {
    for (const char* text :
         {"2026-11-24T10:00:00Z", "2000-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "2099-12-31T00:00:01Z"}) {
        const auto parsed = parse_rfc3339(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(to_rfc3339(*parsed), text);
    }
    const TimePoint time = unix_seconds(1764000000) + 123ms;
    EXPECT_EQ(parse_rfc3339(to_rfc3339_millis(time)), time);
}

TEST(Rfc3339, AppliesOffsets) {
    EXPECT_EQ(parse_rfc3339("2026-11-24T12:00:00+02:00"), parse_rfc3339("2026-11-24T10:00:00Z"));
    EXPECT_EQ(parse_rfc3339("2026-11-24T04:30:00-05:30"), parse_rfc3339("2026-11-24T10:00:00Z"));
    EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00-00:00"), parse_rfc3339("2026-11-24T10:00:00Z"));
    EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-01-01T01:00:00+03:00")), "2025-12-31T22:00:00Z");
}

TEST(Rfc3339, KeepsFractionalSeconds) {
    const auto base = *parse_rfc3339("2026-11-24T10:00:00Z");
    EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.5Z"), base + 500ms);
    EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.123456789Z"), base + 123456789ns);
    EXPECT_EQ(parse_rfc3339("2026-11-24T10:00:00.1234567891234Z"), base + 123456789ns);
    EXPECT_EQ(parse_rfc3339("2026-11-24t10:00:00.250z"), base + 250ms);
}

TEST(Rfc3339, RejectsInvalidDatesAndTimes) {
    for (const char* text : {"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-30T00:00:00Z",
                             "2026-11-31T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T10:60:00Z",
                             "2026-11-24T10:00:60Z", "2026-11-24T10:00:00+24:00", "2026-11-24T10:00:00+02:60"}) {
        EXPECT_FALSE(parse_rfc3339(text)) << text;
    }
}

TEST(Rfc3339, RejectsMissingZoneAndMalformedText) {
    for (const char* text : {"2026-11-24T10:00:00", "2026-11-24", "garbage", "", "2026-11-24 10:00:00Z",
                             "2026-11-24T10:00Z", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00+0200",
                             "2026-11-24T10:00:00+02", "2026-11-24T10:00:00Zjunk", " 2026-11-24T10:00:00Z",
                             "26-11-24T10:00:00Z", "2026-1-24T10:00:00Z", "+2026-11-24T10:00:00Z", "1764000000"}) {
        EXPECT_FALSE(parse_rfc3339(text)) << text;
    }
}

TEST(Rfc3339, RejectsTimesTheClockCannotHold) {
    EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
    EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
}

TEST(UnixSeconds, ParsesMetaTimestamps) {
    EXPECT_EQ(parse_unix_seconds("1764000000"), unix_seconds(1764000000));
    EXPECT_EQ(parse_unix_seconds("0"), unix_seconds(0));
}

TEST(UnixSeconds, RejectsAnythingButDigits) {
    for (const char* text : {"", "-1", "+1", " 1", "1 ", "12a", "1.5", "1e9", "99999999999999999999999"}) {
        EXPECT_FALSE(parse_unix_seconds(text)) << text;
    }
}

}  // namespace
}  // namespace inbox::domain
