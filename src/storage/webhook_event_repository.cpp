#include "inbox/storage/webhook_event_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/pg_array.hpp"

namespace inbox::storage {
namespace {

constexpr Query kInsertWebhookEvents{
    "insert_webhook_events",
    "INSERT INTO webhook_events (body)"
    " SELECT body FROM unnest($1::text[]) WITH ORDINALITY AS batch(body, position) ORDER BY position"
    " RETURNING id"};

}  // namespace

// Not a coroutine on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::vector<std::int64_t>> WebhookEventRepository::insert_batch(std::vector<std::string> bodies) {
    return pool_.run([bodies = std::move(bodies)](DbConnection& db) {
        pqxx::work tx(db.raw());
        auto rows = db.exec(tx, kInsertWebhookEvents, to_pg_text_array(bodies));
        tx.commit();
        std::vector<std::int64_t> ids;
        ids.reserve(rows.size());
        for (const auto& row : rows) ids.push_back(row[0].as<std::int64_t>());
        return ids;
    });
}

}  // namespace inbox::storage
