#include "inbox/storage/account_repository.hpp"

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/db_pool.hpp"
#include "test_database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace inbox::storage {
namespace {

namespace asio = boost::asio;

class AccountRepositoryTest : public ::testing::Test {
protected:
    testing::TestDatabase db;
    observability::MetricsRegistry metrics;
    DbPool pool{{.url = db.url(), .size = 2}, metrics};
    AccountRepository accounts{pool};
    asio::io_context io;

    std::vector<domain::Account> accounts_of(const std::string& user) {
        auto future = asio::co_spawn(io, accounts.accounts_of_user(user), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }
};

domain::NewAccount new_account(std::string name, std::string phone_number_id) {
    return {std::move(name), std::move(phone_number_id), "waba-1", "secret-token", std::nullopt, std::nullopt};
}

TEST_F(AccountRepositoryTest, UsersSeeOnlyTheAccountsTheyAreMembersOf) {
    auto a = accounts.create(new_account("A", "111"));
    auto b = accounts.create(new_account("B", "222"));
    accounts.add_member(a, "alice");
    accounts.add_member(b, "bob");
    auto seen = accounts_of("alice");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].id, a);
    EXPECT_TRUE(accounts_of("mallory").empty());
}

TEST_F(AccountRepositoryTest, AddingAMemberTwiceIsANoOp) {
    auto a = accounts.create(new_account("A", "111"));
    accounts.add_member(a, "alice");
    EXPECT_NO_THROW(accounts.add_member(a, "alice"));
    EXPECT_EQ(accounts_of("alice").size(), 1u);
}

TEST_F(AccountRepositoryTest, AddingAMemberToAnUnknownAccountFails) {
    EXPECT_THROW(accounts.add_member("00000000-0000-0000-0000-000000000000", "alice"), AccountNotFound);
    EXPECT_THROW(accounts.add_member("not-a-uuid", "alice"), AccountNotFound);
}

TEST_F(AccountRepositoryTest, DuplicatePhoneNumberIdIsRejected) {
    accounts.create(new_account("A", "111"));
    EXPECT_THROW(accounts.create(new_account("A2", "111")), pqxx::unique_violation);
}

TEST_F(AccountRepositoryTest, DefaultTemplateRoundTrips) {
    auto account = new_account("A", "111");
    account.default_template = domain::TemplateRef{"reengage", "en_US"};
    account.display_phone_number = "15550783881";
    accounts.create(account);
    auto all = accounts.list_all();
    ASSERT_EQ(all.size(), 1u);
    ASSERT_TRUE(all[0].default_template);
    EXPECT_EQ(all[0].default_template->name, "reengage");
    EXPECT_EQ(all[0].display_phone_number, "15550783881");
}

}  // namespace
}  // namespace inbox::storage
