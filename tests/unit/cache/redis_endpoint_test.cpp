#include "inbox/cache/redis_endpoint.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace inbox::cache {
namespace {

TEST(RedisUrl, HostAndPortWithoutCredentials) {
    auto endpoint = parse_redis_url("redis://127.0.0.1:6390");
    EXPECT_EQ(endpoint.host, "127.0.0.1");
    EXPECT_EQ(endpoint.port, 6390);
    EXPECT_FALSE(endpoint.password);
    EXPECT_FALSE(endpoint.username);
    EXPECT_FALSE(endpoint.database);
}

TEST(RedisUrl, DefaultsToPort6379) { EXPECT_EQ(parse_redis_url("redis://cache.internal").port, 6379); }

TEST(RedisUrl, PasswordAndDatabase) {
    auto endpoint = parse_redis_url("redis://:s%40cret@cache.internal:6380/3");
    EXPECT_EQ(endpoint.password, "s@cret");  // percent-decoded
    EXPECT_FALSE(endpoint.username);
    EXPECT_EQ(endpoint.database, 3u);
}

TEST(RedisUrl, AclUserAndPassword) {
    auto endpoint = parse_redis_url("redis://inbox:pw@cache.internal/");
    EXPECT_EQ(endpoint.username, "inbox");
    EXPECT_EQ(endpoint.password, "pw");
    EXPECT_FALSE(endpoint.database);
}

TEST(RedisUrl, Ipv6Host) {
    auto endpoint = parse_redis_url("redis://[::1]:6390");
    EXPECT_EQ(endpoint.host, "::1");
    EXPECT_EQ(endpoint.display(), "[::1]:6390");
}

TEST(RedisUrl, DisplayNeverShowsTheCredentials) {
    auto endpoint = parse_redis_url("redis://inbox:topsecret@cache.internal:6380/2");
    EXPECT_EQ(endpoint.display(), "cache.internal:6380/2");
}

TEST(RedisUrl, RejectsMalformedUrlsWithoutEchoingThem) {
    for (const char* url : {"http://host:6379", "rediss://host", "redis://", "redis://host:0", "redis://host:99999",
                            "redis://host/db1", "redis://user@host", "not a url with secret"}) {
        try {
            parse_redis_url(url);
            ADD_FAILURE() << "accepted " << url;
        } catch (const std::invalid_argument& error) {
            EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
            EXPECT_EQ(std::string(error.what()).rfind("REDIS_URL: ", 0), 0u) << error.what();
        }
    }
}

}  // namespace
}  // namespace inbox::cache
