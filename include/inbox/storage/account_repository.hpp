#pragma once
// Accounts and memberships. Access tokens are written here but never selected into an Account.
#include "inbox/storage/db_lane.hpp"
#include "inbox/domain/account.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace inbox::storage {

class DbPool;

class AccountNotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class MemberNotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Member {
    std::string user_id;
    std::string role;        // admin | agent
    std::string created_at;  // RFC 3339
};

struct AccountUpdate {
    enum class Outcome { updated, not_found, forbidden };
    Outcome outcome = Outcome::not_found;  // not_found: no such account, or the user is not a member
    std::optional<domain::Account> account;  // updated: as it is now
};

class AccountRepository {
public:
    explicit AccountRepository(DbPool& pool) : pool_(pool), lane_(pool, "accounts") {}

    boost::asio::awaitable<std::vector<domain::Account>> accounts_of_user(std::string user_id);
    // PATCH /accounts/{id}: admins only; one statement checks the role and changes the account.
    boost::asio::awaitable<AccountUpdate> update(std::string user_id, std::string account_id,
                                                 domain::AccountChanges changes);
    // Whether `user_id` may use the account (false also for an account that does not exist).
    boost::asio::awaitable<bool> is_member(std::string user_id, std::string account_id);
    // Webhook routing: the account that owns a WhatsApp number, nullopt when none does.
    boost::asio::awaitable<std::optional<std::string>> id_by_phone_number_id(std::string phone_number_id);

    // Command-line operations (synchronous).
    std::string create(const domain::NewAccount& account);
    std::vector<domain::Account> list_all();
    // Throws AccountNotFound when the account does not exist. Adding an existing member only sets its role, when
    // one is given (`role`: admin | agent, checked by the caller and the schema).
    void add_member(const std::string& account_id, const std::string& user_id,
                    std::optional<std::string> role = std::nullopt);
    // Throws AccountNotFound or MemberNotFound. Every instance ends the user's event streams of the account.
    void remove_member(const std::string& account_id, const std::string& user_id);
    // By user id; throws AccountNotFound.
    std::vector<Member> members(const std::string& account_id);

private:
    DbPool& pool_;  // run_sync, for the command line
    DbLane lane_;
};

}  // namespace inbox::storage
