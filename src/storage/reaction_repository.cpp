#include "inbox/storage/reaction_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "message_rows.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

// The membership join is the authorisation: a message of another account has no row.
constexpr Query kReactionTarget{
    "reactions_target",
    "SELECT c.account_id::text, c.id::text, ct.wa_id, a.phone_number_id, a.access_token, m.wa_message_id, "
    INBOX_PG_MICROS("c.last_inbound_at")
    " FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id"
    " JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1"
    " JOIN contacts ct ON ct.id = c.contact_id"
    " JOIN accounts a ON a.id = c.account_id"
    " WHERE m.id = $2::uuid"};

// The fold and the NOTIFY in one statement (the NOTIFY sits in the select list, so it runs once per folded row, at
// commit).
constexpr Query kRecordReaction{
    "reactions_record",
    "WITH m AS ("
    "    UPDATE messages SET reactions = fold_reaction(reactions, 'outbound', $3, $4, now()), updated_at = now()"
    "    WHERE id = $2::uuid AND account_id = $1::uuid RETURNING *)"
    " SELECT " INBOX_MESSAGE_COLUMNS ", pg_notify($5, json_build_object('account_id', m.account_id,"
    "   'created', json_build_array(), 'updated', json_build_array(m.id), 'conversations', json_build_array())::text)"
    " FROM m" INBOX_MESSAGE_REPLY_JOIN};

// Our reaction's wamid (migration 0018): first, and in a statement of its own that holds no message row.
constexpr Query kRecordSentReaction{"reactions_record_sent",
                                    "SELECT record_sent_reaction($1::uuid, $2, $3::uuid)"};

}  // namespace

// Not coroutines, on purpose (GCC 12, see docs/ARCHITECTURE.md). Each is one autocommitted statement.
boost::asio::awaitable<std::optional<ReactionTarget>> ReactionRepository::target(std::string user_id,
                                                                                std::string message_id) {
    return lane_.run([user_id = std::move(user_id),
                      message_id = std::move(message_id)](DbConnection& db) -> std::optional<ReactionTarget> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kReactionTarget, user_id, message_id);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        ReactionTarget target;
        target.target = SendTarget{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                                   row[3].as<std::string>(), row[4].as<std::string>()};
        target.wa_message_id = optional_text(row[5]);
        target.last_inbound_at = optional_time_from_micros(row[6]);
        return target;
    });
}

boost::asio::awaitable<std::optional<domain::Message>> ReactionRepository::record(std::string account_id,
                                                                                 std::string message_id,
                                                                                 std::string user_id, std::string emoji,
                                                                                 std::string sent_wamid) {
    return lane_.run([account_id = std::move(account_id), message_id = std::move(message_id),
                      user_id = std::move(user_id), emoji = std::move(emoji),
                      sent_wamid = std::move(sent_wamid)](DbConnection& db) -> std::optional<domain::Message> {
        pqxx::nontransaction tx(db.raw());
        db.exec(tx, kRecordSentReaction, account_id, sent_wamid, message_id);
        auto result =
            db.exec(tx, kRecordReaction, account_id, message_id, user_id, emoji, std::string(kLiveChannel));
        if (result.empty()) return std::nullopt;
        return read_message(result[0], 0);
    });
}

}  // namespace inbox::storage
