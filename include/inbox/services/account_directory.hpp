#pragma once
// Routes webhook changes to accounts: phone_number_id → account id, cached for 30 minutes (ARCHITECTURE.md
// "Caches") so steady webhook traffic does not look the account up for every change. Unknown numbers are not
// cached: an account connected a moment later must receive its next delivery.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace inbox::cache {
class Cache;
}
namespace inbox::storage {
class AccountRepository;
}

namespace inbox::services {

inline constexpr std::chrono::seconds kAccountCacheTtl{30 * 60};

// The cache key of an account's id by its number ("v1:account:phone:106540352242922").
std::string account_by_phone_key(const std::string& phone_number_id);

class AccountDirectory {
public:
    AccountDirectory(storage::AccountRepository& accounts, cache::Cache& cache) : accounts_(accounts), cache_(cache) {}

    boost::asio::awaitable<std::optional<std::string>> account_id_for(std::string phone_number_id);
    // Drops what is cached for these numbers: a delivery that failed may have been routed by an entry that no
    // longer holds (an account removed and connected again under the same number).
    boost::asio::awaitable<void> forget(std::vector<std::string> phone_number_ids);

private:
    storage::AccountRepository& accounts_;
    cache::Cache& cache_;
};

}  // namespace inbox::services
