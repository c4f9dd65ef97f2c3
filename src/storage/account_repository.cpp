#include "inbox/storage/account_repository.hpp"

#include "inbox/storage/db_pool.hpp"

namespace inbox::storage {
namespace {

// The account columns an API answer may show, in the order read_account expects.
#define INBOX_ACCOUNT_COLUMNS                                                                                  \
    "a.id::text, a.name, a.phone_number_id, a.waba_id, a.display_phone_number, a.default_template_name, " \
    "a.default_template_language, a.read_receipts"

constexpr Query kAccountsOfUser{"accounts_of_user",
                                "SELECT " INBOX_ACCOUNT_COLUMNS
                                " FROM accounts a JOIN account_members m ON m.account_id = a.id"
                                " WHERE m.user_id = $1 ORDER BY a.name, a.id"};
constexpr Query kAllAccounts{"all_accounts", "SELECT " INBOX_ACCOUNT_COLUMNS " FROM accounts a ORDER BY a.created_at, a.id"};
constexpr Query kInsertAccount{
    "insert_account",
    "INSERT INTO accounts (name, phone_number_id, waba_id, access_token, display_phone_number,"
    " default_template_name, default_template_language) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text"};
// A role given ($3) is set, also for an existing member; none keeps an existing member's role (agent for a new one).
constexpr Query kInsertMember{"insert_member",
                              "INSERT INTO account_members (user_id, account_id, role)"
                              " SELECT $1, id, coalesce($3, 'agent') FROM accounts WHERE id::text = $2"
                              " ON CONFLICT (user_id, account_id) DO UPDATE SET role = coalesce($3, account_members.role)"
                              " RETURNING 1"};
constexpr Query kDeleteMember{"delete_member",
                              "DELETE FROM account_members WHERE user_id = $1 AND account_id::text = $2 RETURNING 1"};
constexpr Query kListMembers{"list_members",
                             "SELECT m.user_id, m.role, to_char(m.created_at AT TIME ZONE 'UTC',"
                             " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                             " FROM account_members m WHERE m.account_id::text = $1 ORDER BY m.user_id"};
constexpr Query kAccountByPhoneNumberId{"account_by_phone_number_id",
                                        "SELECT id::text FROM accounts WHERE phone_number_id = $1"};
constexpr Query kIsMember{"is_member",
                           "SELECT 1 FROM account_members WHERE user_id = $1 AND account_id::text = $2"};
constexpr Query kAccountExists{"account_exists", "SELECT 1 FROM accounts WHERE id::text = $1"};

// The caller's role decides (admin only), in the same statement as the change: column 0 is the role (NULL for a
// non-member, → 404), the account follows when it was changed.
constexpr Query kUpdateAccount{
    "update_account",
    "WITH member AS MATERIALIZED ("
    "    SELECT role FROM account_members WHERE user_id = $1 AND account_id = $2::uuid),"
    " changed AS ("
    "    UPDATE accounts a SET name = coalesce($3, a.name), read_receipts = coalesce($4, a.read_receipts),"
    "      default_template_name = CASE WHEN $5 THEN $6 ELSE a.default_template_name END,"
    "      default_template_language = CASE WHEN $5 THEN $7 ELSE a.default_template_language END"
    "    FROM member WHERE a.id = $2::uuid AND member.role = 'admin' RETURNING a.*)"
    " SELECT (SELECT role FROM member), " INBOX_ACCOUNT_COLUMNS " FROM (SELECT 1) one LEFT JOIN changed a ON true"};

#undef INBOX_ACCOUNT_COLUMNS

std::optional<std::string> optional_text(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<std::string>();
}

// The INBOX_ACCOUNT_COLUMNS starting at column `first`.
domain::Account read_account_at(const pqxx::row& row, pqxx::row::size_type first) {
    auto at = [&](pqxx::row::size_type i) { return row[first + i]; };
    domain::Account account{at(0).as<std::string>(), at(1).as<std::string>(), at(2).as<std::string>(),
                            at(3).as<std::string>(), optional_text(at(4)), std::nullopt};
    if (!at(5).is_null() && !at(6).is_null()) {
        account.default_template = domain::TemplateRef{at(5).as<std::string>(), at(6).as<std::string>()};
    }
    account.read_receipts = at(7).as<std::string>();
    return account;
}

domain::Account read_account(const pqxx::row& row) { return read_account_at(row, 0); }

std::vector<domain::Account> read_accounts(const pqxx::result& result) {
    std::vector<domain::Account> accounts;
    accounts.reserve(result.size());
    for (const auto& row : result) accounts.push_back(read_account(row));
    return accounts;
}

}  // namespace

// Not a coroutine on purpose: GCC 12 miscompiles init-captures of coroutine parameters (docs/ARCHITECTURE.md).
boost::asio::awaitable<std::vector<domain::Account>> AccountRepository::accounts_of_user(std::string user_id) {
    return lane_.run([user_id = std::move(user_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return read_accounts(db.exec(tx, kAccountsOfUser, user_id));
    });
}

boost::asio::awaitable<AccountUpdate> AccountRepository::update(std::string user_id, std::string account_id,
                                                                domain::AccountChanges changes) {
    return lane_.run([user_id = std::move(user_id), account_id = std::move(account_id),
                      changes = std::move(changes)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());  // one autocommitted statement
        std::optional<std::string> template_name, template_language;
        if (changes.default_template) {
            template_name = changes.default_template->name;
            template_language = changes.default_template->language;
        }
        auto result = db.exec(tx, kUpdateAccount, user_id, account_id, changes.name, changes.read_receipts,
                              changes.set_default_template, template_name, template_language);
        AccountUpdate update;
        if (result.empty() || result[0][0].is_null()) return update;  // not a member
        if (result[0][1].is_null()) {
            update.outcome = AccountUpdate::Outcome::forbidden;
            return update;
        }
        pqxx::row row = result[0];
        update.outcome = AccountUpdate::Outcome::updated;
        update.account = read_account_at(row, 1);
        return update;
    });
}

boost::asio::awaitable<bool> AccountRepository::is_member(std::string user_id, std::string account_id) {
    return lane_.run([user_id = std::move(user_id), account_id = std::move(account_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return !db.exec(tx, kIsMember, user_id, account_id).empty();
    });
}

boost::asio::awaitable<std::optional<std::string>> AccountRepository::id_by_phone_number_id(
    std::string phone_number_id) {
    return lane_.run([phone_number_id = std::move(phone_number_id)](DbConnection& db) -> std::optional<std::string> {
        pqxx::nontransaction tx(db.raw());
        auto rows = db.exec(tx, kAccountByPhoneNumberId, phone_number_id);
        if (rows.empty()) return std::nullopt;
        return rows[0][0].as<std::string>();
    });
}

std::string AccountRepository::create(const domain::NewAccount& account) {
    return pool_.run_sync([&](DbConnection& db) {
        pqxx::work tx(db.raw());
        std::optional<std::string> template_name, template_language;
        if (account.default_template) {
            template_name = account.default_template->name;
            template_language = account.default_template->language;
        }
        auto id = db.exec(tx, kInsertAccount, account.name, account.phone_number_id, account.waba_id,
                          account.access_token, nullable(account.display_phone_number), nullable(template_name),
                          nullable(template_language))[0][0]
                      .as<std::string>();
        tx.commit();
        return id;
    });
}

std::vector<domain::Account> AccountRepository::list_all() {
    return pool_.run_sync([](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return read_accounts(db.exec(tx, kAllAccounts));
    });
}

void AccountRepository::add_member(const std::string& account_id, const std::string& user_id,
                                   std::optional<std::string> role) {
    pool_.run_sync([&](DbConnection& db) {
        pqxx::work tx(db.raw());
        auto inserted = db.exec(tx, kInsertMember, user_id, account_id, nullable(role));
        if (inserted.empty() && db.exec(tx, kAccountExists, account_id).empty()) {
            throw AccountNotFound("account " + account_id + " does not exist");
        }
        tx.commit();
    });
}

void AccountRepository::remove_member(const std::string& account_id, const std::string& user_id) {
    pool_.run_sync([&](DbConnection& db) {
        pqxx::work tx(db.raw());
        if (db.exec(tx, kDeleteMember, user_id, account_id).empty()) {
            if (db.exec(tx, kAccountExists, account_id).empty()) {
                throw AccountNotFound("account " + account_id + " does not exist");
            }
            throw MemberNotFound("user " + user_id + " is not a member of account " + account_id);
        }
        tx.commit();  // the trigger of migration 0010 tells every instance, which end the user's event streams
    });
}

std::vector<Member> AccountRepository::members(const std::string& account_id) {
    return pool_.run_sync([&](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        if (db.exec(tx, kAccountExists, account_id).empty()) {
            throw AccountNotFound("account " + account_id + " does not exist");
        }
        std::vector<Member> members;
        for (const auto& row : db.exec(tx, kListMembers, account_id)) {
            members.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
        }
        return members;
    });
}

}  // namespace inbox::storage
