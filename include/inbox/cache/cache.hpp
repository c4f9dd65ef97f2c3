#pragma once
// The cache is optional by design: every implementation answers a failure (Redis down, timeout) as a miss and
// counts it, so no request ever fails because of the cache.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace inbox::cache {

// Bump to invalidate every key written by older code after a change of value format.
inline constexpr const char* kKeyVersion = "v1:";

class Cache {
public:
    virtual ~Cache() = default;

    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
    // Several keys in one round trip; the answer has one element per key, in order (a failure: all misses).
    virtual boost::asio::awaitable<std::vector<std::optional<std::string>>> get_many(std::vector<std::string> keys) = 0;
    virtual boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::seconds ttl) = 0;
    // True when this call stored the value (the key was absent). On a cache error it answers true: callers use it
    // for debouncing, and letting work through beats blocking it forever.
    virtual boost::asio::awaitable<bool> set_if_absent(std::string key, std::string value,
                                                       std::chrono::seconds ttl) = 0;
    virtual boost::asio::awaitable<void> erase(std::string key) = 0;
    // Several keys in one round trip (a processed webhook batch invalidates many conversations at once).
    virtual boost::asio::awaitable<void> erase_many(std::vector<std::string> keys) = 0;

    // "memory" or "redis": used in metric labels and /ready.
    virtual const char* backend_name() const noexcept = 0;
    // /ready: "ok", "degraded" (Redis unreachable) — the in-memory cache is always "disabled" for Redis.
    virtual boost::asio::awaitable<std::string> health() = 0;
};

}  // namespace inbox::cache
