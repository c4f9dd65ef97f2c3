#include "inbox/storage/outbound_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "message_rows.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

// The conversation, its contact and account, visible only to a member (the membership join is the authorisation).
#define INBOX_SEND_TARGET_JOINS                                                    \
    " FROM conversations c"                                                        \
    " JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1" \
    " JOIN contacts ct ON ct.id = c.contact_id"                                    \
    " JOIN accounts a ON a.id = c.account_id"

// The row of an Idempotency-Key (`m`), with its reply join, or NULLs: fingerprint, retryable, attempt, the
// claimer of a pending row and whether it lives (pg_locks is read for pending rows only), then the message.
#define INBOX_KEYED_MESSAGE                                                                              \
    " m.request_fingerprint, m.send_retryable, m.send_attempt, m.claimed_by,"                            \
    " CASE WHEN m.status = 'pending' AND m.claimed_by IS NOT NULL THEN claimer_alive(m.claimed_by) END," \
    INBOX_MESSAGE_COLUMNS

// Column layout: 0-6 target and window, 7-13 the re-engagement candidate, 14-39 the key's row.
constexpr Query kSendContext{
    "outbound_send_context",
    "SELECT c.account_id::text, ct.wa_id, a.phone_number_id, a.access_token, a.waba_id, "
    INBOX_PG_MICROS("c.last_inbound_at") ","
    " (SELECT count(*) FROM message_templates t WHERE t.account_id = c.account_id),"
    " tpl.id::text, tpl.name, tpl.language, tpl.category, tpl.status, tpl.body_text, tpl.parameter_count,"
    INBOX_KEYED_MESSAGE INBOX_SEND_TARGET_JOINS
    " LEFT JOIN LATERAL ("
    "    SELECT t.* FROM message_templates t"
    "    WHERE t.account_id = c.account_id AND t.status = 'APPROVED' AND t.parameter_count = 1"
    "    ORDER BY coalesce(t.name = a.default_template_name AND t.language = a.default_template_language, false) DESC,"
    "             t.name, t.language"
    "    LIMIT 1) tpl ON true"
    " LEFT JOIN messages m ON m.account_id = c.account_id AND m.idempotency_key = $3" INBOX_MESSAGE_REPLY_JOIN
    " WHERE c.id = $2::uuid"};

// The pending row in one statement; its NOTIFY rides along. It is kept small on purpose: the send waits for its
// commit (the row must be durable before Meta is called), so the conversation's last message moves with the answer
// instead (kTouchConversation). On a taken key nothing is inserted and the key's row is returned
// instead, when it committed before this statement began (a concurrent first request commits later: find_by_key
// then sees it). The row is claimed by this instance ($10) while its Graph call is in flight. Column layout: 0-3
// target, 4-7 the new row, 8 the NOTIFY, 9-34 the key's row, 35 a read receipt claimed.
// $11-$15: a media send's upload id, SHA-256 (also its media store key), MIME type, size and filename (NULL for
// other sends); $16: the wamid of the message it replies to. The sender ($1) is the message's author.
constexpr Query kInsertPending{
    "outbound_insert_pending",
    "WITH target AS MATERIALIZED ("
    "    SELECT c.id, c.account_id, ct.wa_id, a.phone_number_id, a.access_token, a.read_receipts"
    INBOX_SEND_TARGET_JOINS
    "    WHERE c.id = $2::uuid),"
    // The read-receipt policy on_reply: the newest inbound wamid not receipted yet is claimed here, so the receipt
    // that goes out beside this send costs no statement of its own (ReadReceipts::send_claimed).
    " receipt AS ("
    "    INSERT INTO conversation_receipts (conversation_id, receipted_wa_message_id)"
    "    SELECT t.id, newest.wa_message_id FROM target t"
    "    CROSS JOIN LATERAL (SELECT m.wa_message_id FROM messages m WHERE m.conversation_id = t.id"
    "        AND m.direction = 'inbound' AND m.wa_message_id IS NOT NULL"
    "        ORDER BY m.timestamp DESC, m.id DESC LIMIT 1) newest"
    "    WHERE t.read_receipts = 'on_reply'"
    "    ON CONFLICT (conversation_id) DO UPDATE SET receipted_wa_message_id = EXCLUDED.receipted_wa_message_id"
    "    WHERE conversation_receipts.receipted_wa_message_id IS DISTINCT FROM EXCLUDED.receipted_wa_message_id"
    "    RETURNING receipted_wa_message_id),"
    " inserted AS ("
    "    INSERT INTO messages AS n (account_id, conversation_id, direction, type, body, status, template_name,"
    "                               template_language, idempotency_key, request_fingerprint, timestamp, claimed_by,"
    "                               upload_id, media_state, media_key, media_sha256, media_mime_type,"
    "                               media_file_size, media_filename, reply_to_wa_message_id, author_user_id)"
    "    SELECT t.account_id, t.id, 'outbound', $3, nullif($4, ''), 'pending', $5, $6, $7, $8, now(), $10,"
    "           $11::uuid, CASE WHEN $11 IS NOT NULL THEN 'stored' END, $12, $12, $13, $14, $15, $16, $1"
    "    FROM target t"
    "    ON CONFLICT (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
    "    RETURNING n.id, n.conversation_id, n.timestamp, n.created_at, n.send_attempt, n.upload_id),"
    // A used upload outlives the 24 h retention of unused ones.
    " used AS (UPDATE uploads u SET used_at = coalesce(u.used_at, now()) FROM inserted i WHERE u.id = i.upload_id)"
    " SELECT t.account_id::text, t.wa_id, t.phone_number_id, t.access_token, i.id::text, "
    INBOX_PG_MICROS("i.timestamp") ", " INBOX_PG_MICROS("i.created_at") ", i.send_attempt,"
    " CASE WHEN i.id IS NOT NULL THEN pg_notify($9, json_build_object('account_id', t.account_id,"
    "   'created', json_build_array(i.id))::text) END,"
    INBOX_KEYED_MESSAGE
    ", (SELECT receipted_wa_message_id FROM receipt)"
    " FROM target t LEFT JOIN inserted i ON true"
    " LEFT JOIN messages m ON i.id IS NULL AND m.account_id = t.account_id AND m.idempotency_key = $7"
    INBOX_MESSAGE_REPLY_JOIN};

constexpr Query kReplyTarget{
    "outbound_reply_target",
    "SELECT EXISTS (SELECT 1 FROM conversations c JOIN account_members mb ON mb.account_id = c.account_id"
    "               AND mb.user_id = $1 WHERE c.id = $2::uuid),"
    " m.id IS NOT NULL, m.wa_message_id, m.type, " INBOX_REPLY_PREVIEW_TEXT("m")
    " FROM (SELECT 1) one LEFT JOIN messages m ON m.id = $3::uuid AND m.conversation_id = $2::uuid"};

constexpr Query kFindByKey{"outbound_find_by_key",
                           "SELECT" INBOX_KEYED_MESSAGE " FROM messages m" INBOX_MESSAGE_REPLY_JOIN
                           " WHERE m.account_id = $1::uuid AND m.idempotency_key = $2"};

// A retryable failed row (or an orphaned pending one: its claimer died, or it is this instance's and nothing here
// sends it) back to `pending` for one more attempt, for exactly one caller: the attempt number it names must
// still be the row's.
constexpr Query kClaimRetry{
    "outbound_claim_retry",
    "WITH claimed AS ("
    "    UPDATE messages m SET status = 'pending', error = NULL, send_retryable = false, type = $3,"
    "      body = nullif($4, ''),"
    "      template_name = $5, template_language = $6, timestamp = now(), updated_at = now(),"
    "      send_attempt = m.send_attempt + 1, claimed_by = $8"
    "    WHERE m.id = $2::uuid AND m.account_id = $1::uuid AND m.send_attempt = $9 AND m.wa_message_id IS NULL"
    "      AND ((m.status = 'failed' AND m.send_retryable) OR m.status = 'pending')"
    "    RETURNING m.id, m.conversation_id, m.timestamp, m.created_at, m.send_attempt, m.author_user_id)"
    " SELECT k.id::text, k.conversation_id::text, " INBOX_PG_MICROS("k.timestamp") ", "
    INBOX_PG_MICROS("k.created_at") ", k.send_attempt,"
    " pg_notify($7, json_build_object('account_id', $1::text, 'updated', json_build_array(k.id))::text),"
    " k.author_user_id"
    " FROM claimed k"};

constexpr Query kRecordSent{"outbound_record_sent",
                            "SELECT outcome, final_status, final_error, conversation_touched"
                            " FROM outbound_record_sent($1::uuid, $2::uuid, $3, $4, $5, $6)"};

// Only the attempt in flight may fail its row; the conversation's last message follows it when that row is free
// (outbound_touch_if_free, migration 0009). Commits without waiting for the WAL flush, like outbound_record_sent:
// losing it in a database crash leaves the row `pending`, resolved by the pending-send sweeper.
constexpr Query kMarkFailed{
    "outbound_mark_failed",
    "WITH failed AS ("
    "    UPDATE messages m SET status = 'failed', error = $3::jsonb, send_retryable = $4, claimed_by = NULL,"
    "      updated_at = now()"
    "    WHERE m.id = $2::uuid AND m.account_id = $1::uuid AND m.status = 'pending' AND m.send_attempt = $5"
    "    RETURNING m.id, m.conversation_id, m.timestamp),"
    " touched AS MATERIALIZED ("
    "    SELECT f.id, f.conversation_id, outbound_touch_if_free(f.conversation_id, f.timestamp, $7) AS touched"
    "    FROM failed f)"
    " SELECT t.touched,"
    "        pg_notify($6, json_build_object('account_id', $1::text, 'updated', json_build_array(t.id),"
    "                   'conversations', CASE WHEN t.touched THEN json_build_array(t.conversation_id)"
    "                                         ELSE json_build_array() END)::text),"
    "        set_config('synchronous_commit', 'off', true)"
    " FROM touched t"};

// The conversation's last message follows an outbound one (sent or failed) whose outcome found the conversation
// locked: a statement that waits for the conversation and holds nothing else (the lock order, migration 0009).
// Idempotent: the latest message by time wins however often, or in whatever order, this runs.
constexpr Query kTouchConversation{
    "outbound_touch_conversation",
    "WITH sent AS (SELECT m.conversation_id, m.timestamp FROM messages m"
    "              WHERE m.id = $1::uuid AND m.account_id = $2::uuid),"
    " touched AS ("
    "    UPDATE conversations c SET"
    "      last_message_at = greatest(c.last_message_at, s.timestamp),"
    "      last_message_preview = CASE WHEN c.last_message_at IS NULL OR s.timestamp >= c.last_message_at"
    "                                  THEN $3 ELSE c.last_message_preview END,"
    "      updated_at = now()"
    "    FROM sent s WHERE c.id = s.conversation_id"
    "      AND (c.last_message_at IS NULL OR s.timestamp >= c.last_message_at)"
    "    RETURNING c.id, c.account_id)"
    " SELECT pg_notify($4, json_build_object('account_id', t.account_id,"
    "                                        'conversations', json_build_array(t.id))::text),"
    "        set_config('synchronous_commit', 'off', true)"
    " FROM touched t"};

// At most 100 (the LIMIT below) a statement, so one account's NOTIFY stays under Postgres's 8000-byte limit; the
// caller loops while batches are full. A pending row is lost when its claimer is gone, when it is this instance's
// ($4) but not among the sends in flight here ($5), or, whoever claims it, after $6 seconds (a claimer that lives
// but stopped answering).
constexpr std::size_t kStaleBatch = 100;
constexpr Query kFailStalePending{
    "outbound_fail_stale_pending",
    "WITH stale AS ("
    "    UPDATE messages m SET status = 'failed', send_retryable = (m.idempotency_key IS NOT NULL),"
    "      error = $2::jsonb, claimed_by = NULL, updated_at = now()"
    "    WHERE m.id IN (SELECT p.id FROM messages p"
    "                   WHERE p.direction = 'outbound' AND p.status = 'pending'"
    "                     AND p.updated_at < now() - make_interval(secs => $1)"
    "                     AND (p.claimed_by IS NULL"
    "                          OR (p.claimed_by = $4 AND NOT p.id = ANY($5::uuid[]))"
    "                          OR (p.claimed_by <> $4 AND NOT claimer_alive(p.claimed_by))"
    "                          OR p.updated_at < now() - make_interval(secs => $6))"
    "                   ORDER BY p.updated_at LIMIT 100 FOR UPDATE SKIP LOCKED)"
    "      AND m.status = 'pending'"
    "    RETURNING m.id, m.account_id)"
    " SELECT count(*), pg_notify($3, json_build_object('account_id', s.account_id,"
    "                                                  'updated', json_agg(s.id))::text)"
    " FROM stale s GROUP BY s.account_id"};

#undef INBOX_KEYED_MESSAGE
#undef INBOX_SEND_TARGET_JOINS

std::optional<StoredSend> keyed_message(const pqxx::row& row, pqxx::row::size_type first) {
    if (row[first + 5].is_null()) return std::nullopt;  // no message id: the key names no row
    StoredSend stored{read_message(row, first + 5), optional_text(row[first]), row[first + 1].as<bool>()};
    stored.attempt = row[first + 2].as<int>();
    if (!row[first + 3].is_null()) stored.claimed_by = row[first + 3].as<std::int32_t>();
    stored.claimer_alive = !row[first + 4].is_null() && row[first + 4].as<bool>();
    return stored;
}

std::optional<domain::StoredTemplate> template_at(const pqxx::row& row, pqxx::row::size_type first) {
    if (row[first].is_null()) return std::nullopt;
    return domain::StoredTemplate{row[first].as<std::string>(),     row[first + 1].as<std::string>(),
                                  row[first + 2].as<std::string>(), optional_text(row[first + 3]),
                                  row[first + 4].as<std::string>(), optional_text(row[first + 5]),
                                  row[first + 6].as<int>()};
}

// The row just written as `pending`, from what was written and what Postgres assigned.
PendingSend pending_message(const OutboundDraft& draft, std::string id, std::string conversation_id,
                            const pqxx::field& timestamp, const pqxx::field& created_at, const pqxx::field& attempt,
                            std::optional<std::string> author) {
    PendingSend pending;
    pending.attempt = attempt.as<int>();
    auto& message = pending.message;
    message.id = std::move(id);
    message.conversation_id = std::move(conversation_id);
    message.direction = "outbound";
    message.type = draft.type;
    if (!draft.text.empty()) message.text = draft.text;
    message.reply_to = draft.reply_to;
    message.author_user_id = std::move(author);
    message.status = "pending";
    message.timestamp = time_from_micros(timestamp);
    message.created_at = time_from_micros(created_at);
    message.template_ref = draft.template_ref;
    if (draft.media) {
        const auto& media = *draft.media;
        message.media = domain::MessageMedia{media.mime_type, media.sha256, static_cast<std::int64_t>(media.file_size),
                                             media.filename, "stored"};
    }
    return pending;
}

std::string uuid_array(const std::vector<std::string>& ids) {
    std::string array = "{";
    for (const auto& id : ids) array.append(array.size() > 1 ? "," : "").append(id);
    return array + "}";
}

std::optional<std::string> template_name(const OutboundDraft& draft) {
    return draft.template_ref ? std::optional(draft.template_ref->name) : std::nullopt;
}
std::optional<std::string> template_language(const OutboundDraft& draft) {
    return draft.template_ref ? std::optional(draft.template_ref->language) : std::nullopt;
}

}  // namespace

// None of these is a coroutine, on purpose (GCC 12, see docs/ARCHITECTURE.md). Each is one autocommitted statement.
boost::asio::awaitable<std::optional<SendContext>> OutboundRepository::load_context(
    std::string user_id, std::string conversation_id, std::optional<std::string> idempotency_key) {
    return lane_.run([user_id = std::move(user_id), conversation_id = std::move(conversation_id),
                      key = std::move(idempotency_key)](DbConnection& db) -> std::optional<SendContext> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kSendContext, user_id, conversation_id, nullable(key));
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        SendContext context;
        context.target = {row[0].as<std::string>(), conversation_id, row[1].as<std::string>(),
                          row[2].as<std::string>(), row[3].as<std::string>()};
        context.waba_id = row[4].as<std::string>();
        context.last_inbound_at = optional_time_from_micros(row[5]);
        context.stored_templates = row[6].as<std::size_t>();
        context.reengagement_template = template_at(row, 7);
        context.existing = keyed_message(row, 14);
        return context;
    });
}

boost::asio::awaitable<PendingInsert> OutboundRepository::insert_pending(std::string user_id,
                                                                         std::string conversation_id,
                                                                         OutboundDraft draft,
                                                                         std::optional<IdempotencyKey> key,
                                                                         std::int32_t claimer) {
    return lane_.run([user_id = std::move(user_id), conversation_id = std::move(conversation_id),
                      draft = std::move(draft), key = std::move(key), claimer](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        std::optional<std::string> key_text, fingerprint;
        if (key) {
            key_text = key->key;
            fingerprint = key->request_fingerprint;
        }
        std::optional<std::string> upload_id, sha256, mime_type, file_size, filename;
        if (draft.media) {
            upload_id = draft.media->upload_id;
            sha256 = draft.media->sha256;
            mime_type = draft.media->mime_type;
            file_size = std::to_string(draft.media->file_size);
            filename = draft.media->filename;
        }
        std::optional<std::string> reply_wamid;
        if (draft.reply_to) reply_wamid = draft.reply_to->wa_message_id;
        auto result = db.exec(tx, kInsertPending, user_id, conversation_id, draft.type, draft.text,
                              nullable(template_name(draft)), nullable(template_language(draft)), nullable(key_text),
                              nullable(fingerprint), std::string(kLiveChannel), claimer, nullable(upload_id),
                              nullable(sha256), nullable(mime_type), nullable(file_size), nullable(filename),
                              nullable(reply_wamid));
        PendingInsert outcome;
        if (result.empty()) return outcome;
        const auto& row = result[0];
        outcome.target = SendTarget{row[0].as<std::string>(), conversation_id, row[1].as<std::string>(),
                                    row[2].as<std::string>(), row[3].as<std::string>()};
        outcome.target->receipt_wamid = optional_text(row[row.size() - 1]);
        if (!row[4].is_null()) {
            outcome.created =
                pending_message(draft, row[4].as<std::string>(), conversation_id, row[5], row[6], row[7], user_id);
        } else {
            outcome.existing = keyed_message(row, 9);
        }
        return outcome;
    });
}

boost::asio::awaitable<ReplyTarget> OutboundRepository::reply_target(std::string user_id,
                                                                     std::string conversation_id,
                                                                     std::string message_id) {
    return lane_.run([user_id = std::move(user_id), conversation_id = std::move(conversation_id),
                      message_id = std::move(message_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        const auto row = db.exec(tx, kReplyTarget, user_id, conversation_id, message_id)[0];
        ReplyTarget target{row[0].as<bool>(), row[1].as<bool>(), optional_text(row[2]), std::nullopt};
        if (target.in_conversation) {
            target.preview = domain::ReplyPreview{row[3].as<std::string>(), optional_text(row[4])};
        }
        return target;
    });
}

boost::asio::awaitable<std::optional<StoredSend>> OutboundRepository::find_by_key(std::string account_id,
                                                                                  std::string key) {
    return lane_.run([account_id = std::move(account_id), key = std::move(key)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindByKey, account_id, key);
        return result.empty() ? std::nullopt : keyed_message(result[0], 0);
    });
}

boost::asio::awaitable<std::optional<PendingSend>> OutboundRepository::claim_retry(std::string account_id,
                                                                                  std::string message_id,
                                                                                  int attempt, OutboundDraft draft,
                                                                                  std::int32_t claimer) {
    return lane_.run([account_id = std::move(account_id), message_id = std::move(message_id), attempt,
                      draft = std::move(draft), claimer](DbConnection& db) -> std::optional<PendingSend> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kClaimRetry, account_id, message_id, draft.type, draft.text,
                              nullable(template_name(draft)), nullable(template_language(draft)),
                              std::string(kLiveChannel), claimer, attempt);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        return pending_message(draft, row[0].as<std::string>(), row[1].as<std::string>(), row[2], row[3], row[4],
                               optional_text(row[6]));
    });
}

boost::asio::awaitable<SentRecord> OutboundRepository::record_sent(std::string account_id, std::string message_id,
                                                                   int attempt, std::string wamid,
                                                                   std::string preview) {
    return lane_.run([account_id = std::move(account_id), message_id = std::move(message_id), attempt,
                      wamid = std::move(wamid), preview = std::move(preview)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result =
            db.exec(tx, kRecordSent, account_id, message_id, attempt, wamid, preview, std::string(kLiveChannel));
        const auto& row = result[0];
        const auto outcome = row[0].as<std::string>();
        SentRecord record;
        record.outcome = outcome == "recorded"     ? SentRecord::Outcome::recorded
                         : outcome == "superseded" ? SentRecord::Outcome::superseded
                                                   : SentRecord::Outcome::missing;
        record.status = optional_text(row[1]).value_or("");
        record.error_json = optional_text(row[2]);
        record.conversation_touched = !row[3].is_null() && row[3].as<bool>();
        return record;
    });
}

boost::asio::awaitable<FailedRecord> OutboundRepository::mark_failed(std::string account_id, std::string message_id,
                                                                     int attempt, std::string error_json,
                                                                     bool retryable, std::string preview) {
    return lane_.run([account_id = std::move(account_id), message_id = std::move(message_id), attempt,
                      error_json = std::move(error_json), retryable, preview = std::move(preview)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kMarkFailed, account_id, message_id, error_json, retryable, attempt,
                              std::string(kLiveChannel), preview);
        FailedRecord record;
        record.recorded = !result.empty();
        record.conversation_touched = record.recorded && result[0][0].as<bool>();
        return record;
    });
}

boost::asio::awaitable<void> OutboundRepository::touch_conversation(std::string account_id, std::string message_id,
                                                                    std::string preview) {
    return touch_lane_.run([account_id = std::move(account_id), message_id = std::move(message_id),
                            preview = std::move(preview)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        db.exec(tx, kTouchConversation, message_id, account_id, preview, std::string(kLiveChannel));
    });
}

boost::asio::awaitable<std::size_t> OutboundRepository::fail_stale_pending(StalePendingRule rule,
                                                                           std::string error_json) {
    return maintenance_lane_.run([rule = std::move(rule), error_json = std::move(error_json)](DbConnection& db) {
        std::size_t resolved = 0;
        const auto in_flight = uuid_array(rule.in_flight_here);
        for (;;) {
            pqxx::nontransaction tx(db.raw());
            std::size_t batch = 0;
            for (const auto& row : db.exec(tx, kFailStalePending, static_cast<double>(rule.older_than.count()),
                                           error_json, std::string(kLiveChannel), rule.this_claimer, in_flight,
                                           static_cast<double>(rule.whoever_claims_after.count()))) {
                batch += row[0].as<std::size_t>();
            }
            resolved += batch;
            if (batch < kStaleBatch) return resolved;
        }
    });
}

}  // namespace inbox::storage
