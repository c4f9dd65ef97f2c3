#include "test_database.hpp"

#include "inbox/storage/migrations.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace inbox::testing {

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) {
        throw std::runtime_error(std::string(name) +
                                 " is not set: run the suite through scripts/test.sh, which starts Postgres and Redis");
    }
    return value;
}

std::string database_url_for(const std::string& admin_url, const std::string& name) {
    auto query = admin_url.find('?');
    auto path_start = admin_url.rfind('/', query);
    return admin_url.substr(0, path_start + 1) + name + (query == std::string::npos ? "" : admin_url.substr(query));
}

TestDatabase::TestDatabase(bool migrate) : admin_url_(required_env("TEST_DATABASE_URL")) {
    static std::atomic<int> counter{0};
    name_ = "inbox_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    url_ = database_url_for(admin_url_, name_);
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_);
    tx.exec("CREATE DATABASE " + name_);
    if (migrate) {
        pqxx::connection connection(url_);
        storage::apply_migrations(connection, storage::embedded_migrations());
    }
}

TestDatabase::~TestDatabase() {
    try {
        pqxx::connection admin(admin_url_);
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& error) {
        ADD_FAILURE() << "could not drop " << name_ << ": " << error.what();
    }
}

std::string TestDatabase::query_value(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::nontransaction tx(connection);
    auto result = tx.exec(sql);
    if (result.empty() || result[0][0].is_null()) return {};
    return result[0][0].as<std::string>();
}

std::vector<std::string> TestDatabase::query_column(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::nontransaction tx(connection);
    std::vector<std::string> values;
    for (const auto& row : tx.exec(sql)) values.push_back(row[0].is_null() ? std::string() : row[0].as<std::string>());
    return values;
}

void TestDatabase::execute(const std::string& sql) const {
    pqxx::connection connection(url_);
    pqxx::work tx(connection);
    tx.exec(sql);
    tx.commit();
}

}  // namespace inbox::testing
