#pragma once
// The claims this instance stopped working on without recording their outcome: processing failed and so did the
// statement that reschedules it (Postgres was away). Their rows stay claimed by this live instance until their lease
// ends; naming them in the next claim lets the sweeper take them back at once instead (storage/claim_sql.hpp).
// An id is forgotten once claimed again, or when its lease has ended anyway. Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace inbox::services {

class GivenUpClaims {
public:
    explicit GivenUpClaims(std::chrono::steady_clock::duration lease) : lease_(lease) {}

    void add(const std::vector<std::int64_t>& ids);
    // The ids to name in the next claim (those whose lease may still run).
    std::vector<std::int64_t> current();
    // They were claimed again: nothing to remember.
    void claimed(const std::vector<std::int64_t>& ids);

private:
    std::chrono::steady_clock::duration lease_;
    std::mutex mutex_;
    std::map<std::int64_t, std::chrono::steady_clock::time_point> given_up_at_;
};

}  // namespace inbox::services
