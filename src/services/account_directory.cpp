#include "inbox/services/account_directory.hpp"

#include "inbox/cache/cache.hpp"
#include "inbox/storage/account_repository.hpp"

namespace inbox::services {

std::string account_by_phone_key(const std::string& phone_number_id) {
    return std::string(cache::kKeyVersion) + "account:phone:" + phone_number_id;
}

boost::asio::awaitable<std::optional<std::string>> AccountDirectory::account_id_for(std::string phone_number_id) {
    auto key = account_by_phone_key(phone_number_id);
    if (auto cached = co_await cache_.get(key)) co_return cached;
    auto account_id = co_await accounts_.id_by_phone_number_id(phone_number_id);
    if (account_id) co_await cache_.set(key, *account_id, kAccountCacheTtl);
    co_return account_id;
}

boost::asio::awaitable<void> AccountDirectory::forget(std::vector<std::string> phone_number_ids) {
    std::vector<std::string> keys;
    for (const auto& phone_number_id : phone_number_ids) keys.push_back(account_by_phone_key(phone_number_id));
    co_await cache_.erase_many(std::move(keys));
}

}  // namespace inbox::services
