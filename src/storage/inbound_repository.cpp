#include "inbox/storage/inbound_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/webhook_event_repository.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>

namespace inbox::storage {
namespace {

// profile_name follows WhatsApp; `name` belongs to the agents and is never written here.
#define INBOX_UPSERT_CONTACT                                                                         \
    "INSERT INTO contacts (account_id, wa_id, profile_name) VALUES ($1::uuid, $2, $3)"               \
    " ON CONFLICT (account_id, wa_id) DO UPDATE SET"                                                 \
    "   profile_name = coalesce(EXCLUDED.profile_name, contacts.profile_name),"                      \
    "   updated_at = CASE WHEN EXCLUDED.profile_name IS DISTINCT FROM contacts.profile_name"         \
    "                     AND EXCLUDED.profile_name IS NOT NULL THEN now() ELSE contacts.updated_at END" \
    " RETURNING id"

// A contact named in contacts[] that sent no message in the change.
constexpr Query kUpsertContact{"inbound_upsert_contact", INBOX_UPSERT_CONTACT};

// A sender: its contact upserted and its open conversation got-or-created in one round trip. Race-free: the
// partial unique index allows one open conversation per contact; the no-op update returns the existing row and
// locks it until commit, which also serialises its counters. Locks are taken contact first, then conversation.
constexpr Query kOpenSendersConversation{
    "inbound_open_senders_conversation",
    "WITH contact AS (" INBOX_UPSERT_CONTACT ")"
    " INSERT INTO conversations (account_id, contact_id) SELECT $1::uuid, id FROM contact"
    " ON CONFLICT (contact_id) WHERE status = 'open' DO UPDATE SET status = 'open'"
    " RETURNING id::text"};

#undef INBOX_UPSERT_CONTACT

// The message, and the conversation's counters, in one round trip. The counters move only for a row really
// inserted (the UPDATE joins the insert's RETURNING, empty for a duplicate wamid); the preview follows the newest
// message by Meta's time. The conversation row was written by an earlier statement, so this UPDATE sees it.
constexpr Query kInsertInboundMessage{
    "inbound_insert_message",
    "WITH inserted AS ("
    " INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, content, status, error,"
    "                       reply_to_wa_message_id, timestamp, media_id, media_mime_type, media_filename, media_state)"
    " VALUES ($1::uuid, $2::uuid, $3, 'inbound', $4, $5, $6::jsonb, 'received', $7::jsonb, $8,"
    "         to_timestamp($9::double precision), $10::text, $11::text, $12::text,"
    "         CASE WHEN $10::text IS NULL THEN NULL ELSE 'pending' END)"
    " ON CONFLICT (account_id, wa_message_id) DO NOTHING RETURNING id)"
    " UPDATE conversations c SET"
    "   last_message_at = greatest(c.last_message_at, to_timestamp($9::double precision)),"
    "   last_message_preview = CASE WHEN c.last_message_at IS NULL"
    "                                 OR to_timestamp($9::double precision) >= c.last_message_at"
    "                               THEN $13 ELSE c.last_message_preview END,"
    "   last_inbound_at = greatest(c.last_inbound_at, to_timestamp($9::double precision)),"
    "   unread_count = c.unread_count + 1, updated_at = now()"
    " FROM inserted WHERE c.id = $2::uuid"
    " RETURNING inserted.id::text"};

constexpr Query kQueueMediaDownload{
    "inbound_queue_media_download",
    "INSERT INTO jobs (kind, account_id, payload, dedupe_key)"
    " VALUES ('media_download', $1::uuid, jsonb_build_object('message_id', $2::text), $2::text)"
    " ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running') DO NOTHING"};

// Serialises the status path and the send path for one wamid (see attach_wamid).
constexpr Query kLockWamid{"inbound_lock_wamid", "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))"};

// Status only moves forward (message_status_rank); an error is recorded whenever Meta reports one, even when the
// status itself stays (a `failed` arriving after `read`).
constexpr Query kApplyStatus{
    "inbound_apply_status",
    "UPDATE messages SET"
    "   status = CASE WHEN message_status_rank(status) < message_status_rank($3) THEN $3 ELSE status END,"
    "   error = coalesce($4::jsonb, error), updated_at = now()"
    " WHERE account_id = $1::uuid AND wa_message_id = $2 AND direction = 'outbound'"
    "   AND (message_status_rank(status) < message_status_rank($3) OR ($4::jsonb IS NOT NULL AND error IS DISTINCT FROM $4::jsonb))"
    " RETURNING id::text, conversation_id::text"};

constexpr Query kMessageExists{"inbound_message_exists",
                               "SELECT 1 FROM messages WHERE account_id = $1::uuid AND wa_message_id = $2"};

constexpr Query kParkStatus{
    "inbound_park_status",
    "INSERT INTO parked_statuses (account_id, wa_message_id, status, error, timestamp)"
    " VALUES ($1::uuid, $2, $3, $4::jsonb, to_timestamp($5::double precision))"};

constexpr Query kTakeParkedStatuses{
    "inbound_take_parked",
    "DELETE FROM parked_statuses WHERE account_id = $1::uuid AND wa_message_id = $2"
    " RETURNING status, error::text, extract(epoch FROM timestamp)::double precision"};

constexpr Query kSetWamid{"inbound_set_wamid",
                          "UPDATE messages SET wa_message_id = $3, updated_at = now()"
                          " WHERE account_id = $1::uuid AND id = $2::uuid"};

constexpr Query kTemplateStatus{
    "inbound_template_status",
    "UPDATE message_templates t SET status = $4, updated_at = now()"
    " FROM accounts a WHERE a.id = t.account_id AND a.waba_id = $1"
    "   AND (t.wa_template_id = $2 OR (t.name = $3 AND ($5::text IS NULL OR t.language = $5)))"};

double unix_seconds(domain::TimePoint time) {
    return std::chrono::duration<double>(time.time_since_epoch()).count();
}

std::optional<std::string> error_json(const std::optional<domain::MessageError>& error) {
    if (!error) return std::nullopt;
    nlohmann::json json = {{"code", error->code}, {"title", error->title}};
    json["details"] = error->details ? nlohmann::json(*error->details) : nlohmann::json(nullptr);
    return json.dump();
}


// Applies one status; answers the changed message (id, conversation) or nullopt. Parks it when the message is
// not stored yet. Caller holds the wamid lock.
std::optional<std::pair<std::string, std::string>> apply_status(DbConnection& db, pqxx::transaction_base& tx,
                                                                const std::string& account_id,
                                                                const std::string& wa_message_id,
                                                                std::string_view status,
                                                                const std::optional<std::string>& error,
                                                                double timestamp, bool park_if_missing,
                                                                bool& parked) {
    auto updated = db.exec(tx, kApplyStatus, account_id, wa_message_id, std::string(status), nullable(error));
    if (!updated.empty()) return std::make_pair(updated[0][0].as<std::string>(), updated[0][1].as<std::string>());
    if (park_if_missing && db.exec(tx, kMessageExists, account_id, wa_message_id).empty()) {
        db.exec(tx, kParkStatus, account_id, wa_message_id, std::string(status), nullable(error), timestamp);
        parked = true;
    }
    return std::nullopt;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

StoredChange store_change(DbConnection& db, pqxx::transaction_base& tx, const std::string& account_id,
                          const domain::AccountChange& change) {
    StoredChange stored{account_id, {}, {}, {}, 0, 0, 0};

    // Senders first: each one's contact and open conversation in one statement (profile name from contacts[]).
    std::map<std::string, std::optional<std::string>> profile_names;  // wa_id → profile name, from contacts[]
    for (const auto& contact : change.contacts) profile_names[contact.wa_id] = contact.profile_name;
    std::map<std::string, std::string> conversation_ids;  // sender wa_id → open conversation id
    for (const auto& message : change.messages) {
        auto conversation = conversation_ids.find(message.from);
        if (conversation == conversation_ids.end()) {
            auto named = profile_names.find(message.from);
            auto profile_name = named == profile_names.end() ? std::nullopt : named->second;
            auto opened = db.exec(tx, kOpenSendersConversation, account_id, message.from, nullable(profile_name));
            conversation = conversation_ids.emplace(message.from, opened[0][0].as<std::string>()).first;
        }
        const auto& media = message.media;
        auto inserted = db.exec(
            tx, kInsertInboundMessage, account_id, conversation->second, message.wa_message_id, message.type,
            nullable(message.text), message.content.dump(), nullable(error_json(message.error)),
            nullable(message.reply_to_wa_message_id), unix_seconds(message.timestamp),
            nullable(media ? std::optional<std::string>(media->media_id) : std::nullopt),
            nullable(media && !media->mime_type.empty() ? std::optional<std::string>(media->mime_type) : std::nullopt),
            nullable(media ? media->filename : std::nullopt), message.preview);
        if (inserted.empty()) {
            ++stored.duplicate_messages;
            continue;
        }
        auto message_id = inserted[0][0].as<std::string>();
        stored.created_message_ids.push_back(message_id);
        add_unique(stored.touched_conversation_ids, conversation->second);
        if (media) {
            db.exec(tx, kQueueMediaDownload, account_id, message_id);
            ++stored.media_jobs;
        }
    }
    // Contacts named without a message of theirs in the change (e.g. next to statuses): keep their profile fresh.
    for (const auto& contact : change.contacts) {
        if (conversation_ids.contains(contact.wa_id)) continue;
        db.exec(tx, kUpsertContact, account_id, contact.wa_id, nullable(contact.profile_name));
    }

    for (const auto& status : change.statuses) {
        db.exec(tx, kLockWamid, account_id, status.wa_message_id);
        bool parked = false;
        auto changed = apply_status(db, tx, account_id, status.wa_message_id, domain::to_string(status.status),
                                    error_json(status.error), unix_seconds(status.timestamp), true, parked);
        if (parked) ++stored.parked_statuses;
        if (changed) {
            add_unique(stored.updated_message_ids, changed->first);
            add_unique(stored.touched_conversation_ids, changed->second);
        }
    }
    return stored;
}

std::size_t store_template_status(DbConnection& db, pqxx::transaction_base& tx,
                                  const domain::TemplateStatusChange& change) {
    auto language = change.language.empty() ? std::nullopt : std::optional<std::string>(change.language);
    auto result = db.exec(tx, kTemplateStatus, change.waba_id, change.message_template_id, change.name, change.event,
                          nullable(language));
    return static_cast<std::size_t>(result.affected_rows());
}

}  // namespace

namespace {

// Stores one delivery's changes; its NOTIFY content goes to `notices` (one per account and batch) and its
// `processed`/`ignored` mark to `finished` (one UPDATE per batch), both written by the caller.
StoredDelivery store_delivery(DbConnection& db, pqxx::transaction_base& tx, const DeliveryToStore& delivery,
                              std::map<std::string, LiveNotice>& notices,
                              std::vector<WebhookEventRepository::FinishedEvent>& finished) {
    StoredDelivery stored;
    for (const auto& routed : delivery.account_changes) {
        auto& change = stored.changes.emplace_back(store_change(db, tx, routed.account_id, routed.change));
        auto& notice = notices[change.account_id];
        notice.account_id = change.account_id;
        for (const auto& id : change.created_message_ids) notice.created_message_ids.push_back(id);
        for (const auto& id : change.updated_message_ids) add_unique(notice.updated_message_ids, id);
        for (const auto& id : change.touched_conversation_ids) add_unique(notice.conversation_ids, id);
        if (change.media_jobs > 0) notice.jobs_queued = true;
    }
    for (const auto& change : delivery.template_changes) store_template_status(db, tx, change);
    stored.handled = !delivery.account_changes.empty() || !delivery.template_changes.empty();
    finished.push_back({delivery.event_id,
                        stored.handled ? WebhookEventRepository::Outcome::processed
                                       : WebhookEventRepository::Outcome::ignored,
                        delivery.notes});
    return stored;
}

// The first contact row a delivery will lock. Writing a batch in this order makes concurrent batches (another
// instance, the sweeper) take contact and conversation locks in one global order: they may wait, never deadlock.
std::pair<std::string, std::string> lock_order_key(const DeliveryToStore& delivery) {
    for (const auto& routed : delivery.account_changes) {
        const auto& change = routed.change;
        if (!change.contacts.empty()) return {routed.account_id, change.contacts.front().wa_id};
        if (!change.messages.empty()) return {routed.account_id, change.messages.front().from};
        if (!change.statuses.empty()) return {routed.account_id, change.statuses.front().recipient_id};
    }
    return {};
}

}  // namespace

// Not a coroutine on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::vector<StoredDelivery>> InboundRepository::store_deliveries(
    std::vector<DeliveryToStore> deliveries) {
    return lane_.run([deliveries = std::move(deliveries)](DbConnection& db) {
        std::vector<StoredDelivery> stored;
        pqxx::work tx(db.raw());
        // Everything written here is derived from the webhook events, which were committed durably before Meta got
        // its 200. Not waiting for this commit's WAL flush is therefore safe: a crash can lose only a suffix of
        // the WAL, so losing this transaction also loses the events' `processed` marks written in it, and the
        // sweeper processes them again (idempotently). It takes the fsync out of the time the open conversation's
        // row stays locked, which bounds processing throughput for a busy conversation.
        db.exec_plain(tx, "SET LOCAL synchronous_commit = off");
        std::vector<std::size_t> order(deliveries.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return lock_order_key(deliveries[a]) < lock_order_key(deliveries[b]);
        });
        stored.resize(deliveries.size());
        std::map<std::string, LiveNotice> notices;
        std::vector<WebhookEventRepository::FinishedEvent> finished;
        for (auto index : order) stored[index] = store_delivery(db, tx, deliveries[index], notices, finished);
        // One NOTIFY per account for the whole batch, delivered to every instance's live clients at commit.
        std::vector<std::string> live_payloads;
        for (const auto& [account_id, notice] : notices) {
            for (auto& payload : encode_live_notice(notice)) live_payloads.push_back(std::move(payload));
        }
        WebhookEventRepository::finish(db, tx, finished, live_payloads);
        tx.commit();
        return stored;
    });
}

void InboundRepository::attach_wamid(DbConnection& db, pqxx::transaction_base& tx, const std::string& account_id,
                                     const std::string& message_id, const std::string& wa_message_id) {
    db.exec(tx, kLockWamid, account_id, wa_message_id);
    db.exec(tx, kSetWamid, account_id, message_id, wa_message_id);
    for (const auto& row : db.exec(tx, kTakeParkedStatuses, account_id, wa_message_id)) {
        std::optional<std::string> error;
        if (!row[1].is_null()) error = row[1].as<std::string>();
        bool parked = false;
        apply_status(db, tx, account_id, wa_message_id, row[0].as<std::string>(), error, row[2].as<double>(), false,
                     parked);
    }
}

}  // namespace inbox::storage
