#include "inbox/storage/migrations.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>

namespace inbox::storage {
namespace {

// Arbitrary constant shared by every instance of this program.
constexpr long long kMigrationLockId = 0x1a2b3c4d5e;

class AdvisoryLock {
public:
    explicit AdvisoryLock(pqxx::connection& connection) : connection_(connection) {
        pqxx::nontransaction tx(connection_);
        tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockId);
    }
    ~AdvisoryLock() {
        try {
            pqxx::nontransaction tx(connection_);
            tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockId);
        } catch (const std::exception& error) {
            spdlog::warn("could not release the migration lock: {}", error.what());  // released on disconnect
        }
    }
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

private:
    pqxx::connection& connection_;
};

}  // namespace

std::vector<int> apply_migrations(pqxx::connection& connection, std::span<const Migration> migrations) {
    AdvisoryLock lock(connection);
    {
        pqxx::work tx(connection);
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        tx.commit();
    }
    std::set<int> applied;
    {
        pqxx::nontransaction tx(connection);
        for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) applied.insert(row[0].as<int>());
    }
    std::vector<int> newly_applied;
    for (const auto& migration : migrations) {
        if (applied.count(migration.version)) continue;
        pqxx::work tx(connection);
        try {
            tx.exec(std::string(migration.sql));
        } catch (const pqxx::sql_error& error) {
            throw std::runtime_error("migration " + std::string(migration.name) + " failed: " + error.what());
        }
        tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", migration.version,
                       std::string(migration.name));
        tx.commit();
        spdlog::info("applied migration {}", migration.name);
        newly_applied.push_back(migration.version);
    }
    return newly_applied;
}

}  // namespace inbox::storage
