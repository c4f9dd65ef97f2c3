#pragma once
// A throwaway database per test fixture on the Postgres that scripts/test.sh starts (TEST_DATABASE_URL names its
// superuser maintenance database). Created with every migration applied; dropped at the end.
#include <string>
#include <vector>

namespace inbox::testing {

// The value of an environment variable the test suite needs; fails the test (not skips) when missing.
std::string required_env(const char* name);

class TestDatabase {
public:
    // `migrate` = false gives an empty database (migration tests).
    explicit TestDatabase(bool migrate = true);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& url() const noexcept { return url_; }
    const std::string& name() const noexcept { return name_; }
    // Runs SQL on this database, answering the first column of the first row ("" when none).
    std::string query_value(const std::string& sql) const;
    // The first column of every row.
    std::vector<std::string> query_column(const std::string& sql) const;
    void execute(const std::string& sql) const;

private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

// The URL of database `name` on the same server as `admin_url`.
std::string database_url_for(const std::string& admin_url, const std::string& name);

}  // namespace inbox::testing
