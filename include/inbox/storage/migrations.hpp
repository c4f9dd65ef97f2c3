#pragma once
// Schema migrations: numbered SQL files applied in order, each in its own transaction, recorded in
// schema_migrations. Concurrent starters serialise on an advisory lock, so re-running is always a no-op.
#include <pqxx/connection>

#include <span>
#include <string_view>
#include <vector>

namespace inbox::storage {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

// The migrations compiled into this binary (migrations/*.sql), in version order.
std::span<const Migration> embedded_migrations();

// Applies the migrations not yet recorded; answers the versions it applied (empty when up to date).
// Throws when a migration fails (its transaction is rolled back; earlier ones stay applied).
std::vector<int> apply_migrations(pqxx::connection& connection, std::span<const Migration> migrations);

}  // namespace inbox::storage
