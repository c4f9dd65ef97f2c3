#include "loadgen/target.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inbox::loadgen {
namespace {

using ::testing::HasSubstr;

TEST(ParseTarget, HostPortAndBasePath) {
    const Target target = parse_target("http://127.0.0.1:8080/api/");
    EXPECT_EQ(target.host, "127.0.0.1");
    EXPECT_EQ(target.port, 8080);
    EXPECT_EQ(target.host_header, "127.0.0.1:8080");
    EXPECT_EQ(target.base_path, "/api");
    EXPECT_EQ(parse_target("http://localhost").port, 80);
    EXPECT_EQ(parse_target("http://[::1]:9000").host, "::1");
}

TEST(ParseTarget, RejectsOtherSchemesAndMalformedUrls) {
    EXPECT_THROW(parse_target("https://127.0.0.1"), TargetError);
    EXPECT_THROW(parse_target("127.0.0.1:8080"), TargetError);
    EXPECT_THROW(parse_target("http://127.0.0.1:99999"), TargetError);
    EXPECT_THROW(parse_target("http://:80"), TargetError);
    EXPECT_THROW(parse_target("http://[::1"), TargetError);
}

TEST(Loopback, OnlyLoopbackAddresses) {
    EXPECT_TRUE(is_loopback_address("127.0.0.1"));
    EXPECT_TRUE(is_loopback_address("127.255.3.4"));
    EXPECT_TRUE(is_loopback_address("::1"));
    EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
    EXPECT_FALSE(is_loopback_address("128.0.0.1"));
    EXPECT_FALSE(is_loopback_address("10.0.0.1"));
    EXPECT_FALSE(is_loopback_address("0.0.0.0"));
    EXPECT_FALSE(is_loopback_address("::"));
    EXPECT_FALSE(is_loopback_address("localhost"));  // a name, not an address
}

TEST(Loopback, RefusesNonLoopbackTargetsWithTheReason) {
    try {
        resolve_loopback(parse_target("http://10.1.2.3:8080"));
        FAIL();
    } catch (const TargetError& e) {
        EXPECT_THAT(e.what(), HasSubstr("refusing to load 10.1.2.3"));
        EXPECT_THAT(e.what(), HasSubstr("127.0.0.0/8 or ::1"));
    }
    EXPECT_EQ(resolve_loopback(parse_target("http://127.0.0.2:1")), "127.0.0.2");
    EXPECT_TRUE(is_loopback_address(resolve_loopback(parse_target("http://localhost:8080"))));
}

}  // namespace
}  // namespace inbox::loadgen
