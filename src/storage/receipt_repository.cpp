#include "inbox/storage/receipt_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

constexpr Query kReceiptContext{
    "receipts_context",
    "SELECT c.account_id::text, c.id::text, ct.wa_id, a.phone_number_id, a.access_token, a.read_receipts, "
    INBOX_PG_MICROS("c.last_inbound_at") ","
    " (SELECT m.wa_message_id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound'"
    "    AND m.wa_message_id IS NOT NULL ORDER BY m.timestamp DESC, m.id DESC LIMIT 1),"
    " r.receipted_wa_message_id"
    " FROM conversations c"
    " JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1"
    " JOIN contacts ct ON ct.id = c.contact_id"
    " JOIN accounts a ON a.id = c.account_id"
    " LEFT JOIN conversation_receipts r ON r.conversation_id = c.id"
    " WHERE c.id = $2::uuid"};

constexpr Query kClaimReceipt{
    "receipts_claim",
    "INSERT INTO conversation_receipts (conversation_id, receipted_wa_message_id) VALUES ($1::uuid, $2)"
    " ON CONFLICT (conversation_id) DO UPDATE SET receipted_wa_message_id = EXCLUDED.receipted_wa_message_id"
    " WHERE conversation_receipts.receipted_wa_message_id IS DISTINCT FROM EXCLUDED.receipted_wa_message_id"
    " RETURNING 1"};

constexpr Query kReleaseReceipt{"receipts_release",
                                "UPDATE conversation_receipts SET receipted_wa_message_id = NULL"
                                " WHERE conversation_id = $1::uuid AND receipted_wa_message_id = $2"};

constexpr Query kClaimTyping{
    "receipts_claim_typing",
    "INSERT INTO conversation_receipts (conversation_id, typing_sent_at) VALUES ($1::uuid, now())"
    " ON CONFLICT (conversation_id) DO UPDATE SET typing_sent_at = now()"
    " WHERE conversation_receipts.typing_sent_at IS NULL"
    "    OR conversation_receipts.typing_sent_at < now() - interval '20 seconds'"
    " RETURNING 1"};

constexpr Query kReleaseTyping{"receipts_release_typing",
                               "UPDATE conversation_receipts SET typing_sent_at = NULL WHERE conversation_id = $1::uuid"};

}  // namespace

// Not coroutines, on purpose (GCC 12, see docs/ARCHITECTURE.md). Each is one autocommitted statement.
boost::asio::awaitable<std::optional<ReceiptContext>> ReceiptRepository::context(std::string user_id,
                                                                                std::string conversation_id) {
    return lane_.run([user_id = std::move(user_id),
                      conversation_id = std::move(conversation_id)](DbConnection& db) -> std::optional<ReceiptContext> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kReceiptContext, user_id, conversation_id);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        ReceiptContext context;
        context.target = SendTarget{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                                    row[3].as<std::string>(), row[4].as<std::string>()};
        context.policy = row[5].as<std::string>();
        context.last_inbound_at = optional_time_from_micros(row[6]);
        context.newest_inbound_wamid = optional_text(row[7]);
        context.receipted_wamid = optional_text(row[8]);
        return context;
    });
}

boost::asio::awaitable<bool> ReceiptRepository::claim_receipt(std::string conversation_id, std::string wamid) {
    return lane_.run([conversation_id = std::move(conversation_id), wamid = std::move(wamid)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return !db.exec(tx, kClaimReceipt, conversation_id, wamid).empty();
    });
}

boost::asio::awaitable<bool> ReceiptRepository::release_receipt(std::string conversation_id, std::string wamid) {
    return lane_.run([conversation_id = std::move(conversation_id), wamid = std::move(wamid)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kReleaseReceipt, conversation_id, wamid).affected_rows() == 1;
    });
}

boost::asio::awaitable<bool> ReceiptRepository::claim_typing(std::string conversation_id) {
    return lane_.run([conversation_id = std::move(conversation_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return !db.exec(tx, kClaimTyping, conversation_id).empty();
    });
}

boost::asio::awaitable<bool> ReceiptRepository::release_typing(std::string conversation_id) {
    return lane_.run([conversation_id = std::move(conversation_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kReleaseTyping, conversation_id).affected_rows() == 1;
    });
}

}  // namespace inbox::storage
