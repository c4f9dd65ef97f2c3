#pragma once
// Caps on open connections, overall and per client address, so one client (or a flood of idle sockets, slowloris)
// cannot take every descriptor and every coroutine of the server. A connection over a cap is answered 503 and
// closed. Behind a load balancer every connection comes from its address: raise or disable the per-address cap
// there (0 = no cap). Thread-safe.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace inbox::http {

struct ConnectionLimits {
    std::size_t max_total = 10'000;
    std::size_t max_per_address = 1'000;
};

class ConnectionLimiter {
public:
    enum class Verdict { admitted, over_total, over_per_address };

    explicit ConnectionLimiter(ConnectionLimits limits) : limits_(limits) {}

    // Admitted connections must be released once, when they close.
    Verdict admit(const std::string& address);
    void release(const std::string& address);

    std::size_t total() const;
    std::size_t from(const std::string& address) const;

private:
    ConnectionLimits limits_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
};

}  // namespace inbox::http
