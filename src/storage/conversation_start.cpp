// OutboundRepository::start_conversation: a send-template to a number that may never have written to us.
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::storage {
namespace {

// Membership first (no row for a non-member, so nothing is written), then the contact and its open conversation,
// got-or-created in the same order as inbound messages take them (contact, then conversation), so the two never
// deadlock. `xmax = 0` tells a row this statement inserted from one its no-op update returned; only a new
// conversation is news for the live clients (conversation.updated).
constexpr Query kStartConversation{
    "outbound_start_conversation",
    "WITH member AS MATERIALIZED ("
    "    SELECT account_id FROM account_members WHERE user_id = $1 AND account_id = $2::uuid),"
    " contact AS ("
    "    INSERT INTO contacts (account_id, wa_id) SELECT account_id, $3 FROM member"
    "    ON CONFLICT (account_id, wa_id) DO UPDATE SET wa_id = EXCLUDED.wa_id RETURNING id, account_id),"
    " opened AS ("
    "    INSERT INTO conversations (account_id, contact_id) SELECT account_id, id FROM contact"
    "    ON CONFLICT (contact_id) WHERE status = 'open' DO UPDATE SET status = 'open'"
    "    RETURNING id, account_id, xmax = 0 AS created)"
    " SELECT o.id::text, CASE WHEN o.created THEN pg_notify($4, json_build_object('account_id', o.account_id,"
    "   'created', json_build_array(), 'updated', json_build_array(),"
    "   'conversations', json_build_array(o.id))::text) END"
    " FROM opened o"};

}  // namespace

// Not a coroutine, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::optional<std::string>> OutboundRepository::start_conversation(std::string user_id,
                                                                                        std::string account_id,
                                                                                        std::string wa_id) {
    return lane_.run([user_id = std::move(user_id), account_id = std::move(account_id),
                      wa_id = std::move(wa_id)](DbConnection& db) -> std::optional<std::string> {
        pqxx::nontransaction tx(db.raw());  // one autocommitted statement
        auto result = db.exec(tx, kStartConversation, user_id, account_id, wa_id, std::string(kLiveChannel));
        if (result.empty()) return std::nullopt;
        return result[0][0].as<std::string>();
    });
}

}  // namespace inbox::storage
