#pragma once
// One pooled libpqxx connection as seen by repository code: executes named queries, preparing each once per
// connection, and counts every statement sent (the /metrics round-trip counter).
#include "inbox/storage/query.hpp"

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

namespace inbox::observability {
class Counter;
}

namespace inbox::storage {

class DbConnection {
public:
    DbConnection(std::unique_ptr<pqxx::connection> connection, observability::Counter& statements);

    pqxx::connection& raw() noexcept { return *connection_; }

    template <typename... Args>
    pqxx::result exec(pqxx::transaction_base& tx, const Query& query, Args&&... args) {
        prepare(query);
        count_statement();
        return tx.exec_prepared(query.name, std::forward<Args>(args)...);
    }

    // For statements that are not worth preparing (DDL, migrations, one-off admin).
    pqxx::result exec_plain(pqxx::transaction_base& tx, const std::string& sql);

private:
    void prepare(const Query& query);
    void count_statement() noexcept;

    std::unique_ptr<pqxx::connection> connection_;
    observability::Counter& statements_;
    std::unordered_set<const char*> prepared_;  // Query names are string literals: their address identifies them
};

// libpqxx 6.4 has no std::optional parameter support: a null const char* is SQL NULL.
inline const char* nullable(const std::optional<std::string>& value) { return value ? value->c_str() : nullptr; }

}  // namespace inbox::storage
