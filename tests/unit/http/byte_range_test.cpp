#include "inbox/http/byte_range.hpp"

#include <gtest/gtest.h>

namespace inbox::http {
namespace {

using Kind = ByteRange::Kind;

TEST(ParseByteRange, FirstToLast) {
    auto range = parse_byte_range("bytes=0-99", 1000);
    ASSERT_EQ(range.kind, Kind::satisfiable);
    EXPECT_EQ(range.first, 0u);
    EXPECT_EQ(range.last, 99u);
    EXPECT_EQ(range.length(), 100u);
}

TEST(ParseByteRange, OpenEndedAndPastTheEndAreClampedToTheSize) {
    auto open = parse_byte_range("bytes=990-", 1000);
    EXPECT_EQ(open.kind, Kind::satisfiable);
    EXPECT_EQ(open.last, 999u);
    auto long_last = parse_byte_range("bytes=10-5000", 1000);
    EXPECT_EQ(long_last.last, 999u);
}

TEST(ParseByteRange, SuffixIsTheLastBytes) {
    auto tail = parse_byte_range("bytes=-10", 1000);
    EXPECT_EQ(tail.kind, Kind::satisfiable);
    EXPECT_EQ(tail.first, 990u);
    EXPECT_EQ(tail.last, 999u);
    auto more_than_all = parse_byte_range("bytes=-5000", 1000);
    EXPECT_EQ(more_than_all.first, 0u);
}

TEST(ParseByteRange, StartsPastTheEndOrEmptySuffixAreUnsatisfiable) {
    EXPECT_EQ(parse_byte_range("bytes=1000-", 1000).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=-0", 1000).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(ParseByteRange, WhatWeDoNotServeAsARangeIsIgnored) {
    for (const char* header : {"", "bytes", "bytes=", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=0-1,3-4",
                               "bytes=+1-2", "bytes=1", "bytes=18446744073709551616-"}) {
        EXPECT_EQ(parse_byte_range(header, 1000).kind, Kind::ignored) << header;
    }
}

TEST(EtagMatches, StrongWeakListsAndStar) {
    EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("*", "\"abc\""));
    EXPECT_FALSE(etag_matches("", "\"abc\""));
    EXPECT_FALSE(etag_matches("\"abd\"", "\"abc\""));
    EXPECT_FALSE(etag_matches("abc", "\"abc\""));
}

}  // namespace
}  // namespace inbox::http
