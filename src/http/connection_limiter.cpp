#include "inbox/http/connection_limiter.hpp"

namespace inbox::http {

ConnectionLimiter::Verdict ConnectionLimiter::admit(const std::string& address) {
    std::lock_guard lock(mutex_);
    if (limits_.max_total > 0 && total_ >= limits_.max_total) return Verdict::over_total;
    auto& count = per_address_[address];
    if (limits_.max_per_address > 0 && count >= limits_.max_per_address) {
        if (count == 0) per_address_.erase(address);
        return Verdict::over_per_address;
    }
    ++count;
    ++total_;
    return Verdict::admitted;
}

void ConnectionLimiter::release(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto found = per_address_.find(address);
    if (found == per_address_.end()) return;
    if (--found->second == 0) per_address_.erase(found);
    --total_;
}

std::size_t ConnectionLimiter::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::size_t ConnectionLimiter::from(const std::string& address) const {
    std::lock_guard lock(mutex_);
    auto found = per_address_.find(address);
    return found == per_address_.end() ? 0 : found->second;
}

}  // namespace inbox::http
