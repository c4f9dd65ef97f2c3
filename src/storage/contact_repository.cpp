#include "inbox/storage/contact_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

constexpr Query kFindContact{
    "contacts_find",
    "SELECT ct.id::text, ct.account_id::text, ct.wa_id, ct.name, ct.profile_name, " INBOX_PG_MICROS("ct.created_at")
    ", " INBOX_PG_MICROS("ct.updated_at") ","
    " (SELECT " INBOX_PG_MICROS("max(c.last_inbound_at)") " FROM conversations c WHERE c.contact_id = ct.id)"
    " FROM contacts ct JOIN account_members mb ON mb.account_id = ct.account_id AND mb.user_id = $1"
    " WHERE ct.id = $2::uuid"};

}  // namespace

// Not a coroutine, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::optional<StoredContact>> ContactRepository::find(std::string user_id,
                                                                            std::string contact_id) {
    return lane_.run([user_id = std::move(user_id),
                      contact_id = std::move(contact_id)](DbConnection& db) -> std::optional<StoredContact> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindContact, user_id, contact_id);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        return StoredContact{row[0].as<std::string>(),   row[1].as<std::string>(),  row[2].as<std::string>(),
                             optional_text(row[3]),      optional_text(row[4]),     time_from_micros(row[5]),
                             time_from_micros(row[6]),   optional_time_from_micros(row[7])};
    });
}

}  // namespace inbox::storage
