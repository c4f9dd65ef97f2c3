#include "inbox/services/given_up_claims.hpp"

namespace inbox::services {

void GivenUpClaims::add(const std::vector<std::int64_t>& ids) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    for (auto id : ids) given_up_at_.insert_or_assign(id, now);
}

std::vector<std::int64_t> GivenUpClaims::current() {
    const auto expired_before = std::chrono::steady_clock::now() - lease_;
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> ids;
    for (auto it = given_up_at_.begin(); it != given_up_at_.end();) {
        if (it->second < expired_before) {
            it = given_up_at_.erase(it);  // its lease has ended: any claim takes it now
        } else {
            ids.push_back(it->first);
            ++it;
        }
    }
    return ids;
}

void GivenUpClaims::claimed(const std::vector<std::int64_t>& ids) {
    std::lock_guard lock(mutex_);
    for (auto id : ids) given_up_at_.erase(id);
}

}  // namespace inbox::services
