#include "inbox/storage/db_connection.hpp"

#include "inbox/observability/metrics.hpp"

namespace inbox::storage {

DbConnection::DbConnection(std::unique_ptr<pqxx::connection> connection, observability::Counter& statements)
    : connection_(std::move(connection)), statements_(statements) {}

void DbConnection::prepare(const Query& query) {
    if (prepared_.insert(query.name).second) connection_->prepare(query.name, query.sql);
}

void DbConnection::count_statement() noexcept { statements_.inc(); }

pqxx::result DbConnection::exec_plain(pqxx::transaction_base& tx, const std::string& sql) {
    count_statement();
    return tx.exec(sql);
}

}  // namespace inbox::storage
