#pragma once
// Idle keep-alive connections per origin. Bounded per origin; a connection idle for longer than max_idle_age,
// or that the peer has closed meanwhile, is closed instead of handed out. Thread-safe.
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "connection.hpp"

namespace inbox::graph {

class ConnectionPool {
public:
    using Clock = std::chrono::steady_clock;

    ConnectionPool(std::size_t max_idle_per_origin, std::chrono::milliseconds max_idle_age)
        : max_idle_per_origin_(max_idle_per_origin), max_idle_age_(max_idle_age) {}

    // The most recently used live connection to `origin_key`, or null.
    ConnectionPtr acquire(const std::string& origin_key);
    // Keeps `connection` for reuse unless the origin already has max_idle_per_origin idle ones.
    void release(const std::string& origin_key, ConnectionPtr connection);

    std::size_t idle_count() const;

private:
    struct Idle {
        ConnectionPtr connection;
        Clock::time_point since;
    };

    const std::size_t max_idle_per_origin_;
    const std::chrono::milliseconds max_idle_age_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<Idle>, std::less<>> idle_;  // back = most recently released
};

}  // namespace inbox::graph
