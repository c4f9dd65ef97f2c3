#include "connection_pool.hpp"

#include <vector>

namespace inbox::graph {

ConnectionPtr ConnectionPool::acquire(const std::string& origin_key) {
    std::vector<ConnectionPtr> doomed;  // closed after the lock is released
    ConnectionPtr found;
    {
        const std::lock_guard lock(mutex_);
        const auto entry = idle_.find(origin_key);
        if (entry == idle_.end()) return nullptr;
        auto& idle = entry->second;
        const auto oldest_allowed = Clock::now() - max_idle_age_;
        // Everything at the front that has been idle too long goes: the deque is ordered by release time.
        while (!idle.empty() && idle.front().since < oldest_allowed) {
            doomed.push_back(std::move(idle.front().connection));
            idle.pop_front();
        }
        while (!idle.empty() && !found) {
            auto candidate = std::move(idle.back().connection);
            idle.pop_back();
            if (looks_alive(*candidate)) {
                found = std::move(candidate);
            } else {
                doomed.push_back(std::move(candidate));
            }
        }
        if (idle.empty()) idle_.erase(entry);
    }
    return found;
}

void ConnectionPool::release(const std::string& origin_key, ConnectionPtr connection) {
    if (max_idle_per_origin_ == 0) return;
    ConnectionPtr doomed;
    const std::lock_guard lock(mutex_);
    auto& idle = idle_[origin_key];
    if (idle.size() >= max_idle_per_origin_) {
        doomed = std::move(idle.front().connection);  // the coldest one makes room
        idle.pop_front();
    }
    idle.push_back(Idle{std::move(connection), Clock::now()});
}

std::size_t ConnectionPool::idle_count() const {
    const std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& [key, idle] : idle_) count += idle.size();
    return count;
}

}  // namespace inbox::graph
