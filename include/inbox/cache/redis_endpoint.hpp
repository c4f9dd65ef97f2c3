#pragma once
// Where and how to reach Redis, parsed from REDIS_URL: redis://[[user]:password@]host[:port][/db].
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::cache {

struct RedisEndpoint {
    std::string host;
    std::uint16_t port = 6379;
    std::optional<std::string> username;  // Redis 6 ACL user; AUTH <user> <password>
    std::optional<std::string> password;
    std::optional<unsigned> database;  // SELECT <db> after connecting

    // "host:port/db" for log lines: never the credentials.
    std::string display() const;
};

// Throws std::invalid_argument. The message never repeats the URL, which may hold a password.
RedisEndpoint parse_redis_url(std::string_view url);

}  // namespace inbox::cache
