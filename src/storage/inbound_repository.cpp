#include "inbox/storage/inbound_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/webhook_event_repository.hpp"
#include "pg_fields.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

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
// The replies stored before this message (Meta delivered them first) are returned too: their `reply_to` resolves
// now (at read time, by INBOX_MESSAGE_REPLY_JOIN), so live clients get message.updated for them.
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
    " RETURNING inserted.id::text,"
    "   (SELECT string_agg(r.id::text, ',') FROM messages r"
    "    WHERE r.account_id = $1::uuid AND r.reply_to_wa_message_id = $3) AS early_replies"};

// An inbound reaction folded onto its target (migration 0016's fold_reaction): only a real change writes (and so
// moves the page version and tells live clients).
constexpr Query kFoldInboundReaction{
    "inbound_fold_reaction",
    "UPDATE messages m SET reactions = f.folded, updated_at = now()"
    " FROM (SELECT id, fold_reaction(reactions, 'inbound', NULL, $3, to_timestamp($4::double precision)) AS folded"
    "       FROM messages WHERE account_id = $1::uuid AND wa_message_id = $2) f"
    " WHERE m.id = f.id AND m.reactions IS DISTINCT FROM f.folded"
    " RETURNING m.id::text, m.conversation_id::text"};

// Our own reactions' wamids: their status webhooks are neither applied nor parked.
constexpr Query kIsSentReaction{"inbound_is_sent_reaction",
                                "SELECT 1 FROM sent_reactions WHERE account_id = $1::uuid AND wa_message_id = $2"};

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


// A status for a wamid we do not have, naming one of our messages in its callback data: the message's send was
// accepted by Meta but its record is late (or was lost). It gets the wamid here, like outbound_record_sent would
// give it, unless it already has one. Caller holds the wamid lock.
constexpr Query kAttachByCallback{
    "inbound_attach_by_callback",
    "UPDATE messages SET wa_message_id = $3, send_retryable = false, claimed_by = NULL,"
    "   status = CASE WHEN status IN ('pending', 'failed') THEN 'sent' ELSE status END,"
    "   error = CASE WHEN status = 'failed' THEN NULL ELSE error END, updated_at = now()"
    " WHERE account_id = $1::uuid AND id = $2::uuid AND direction = 'outbound' AND wa_message_id IS NULL"
    " RETURNING id::text"};

bool is_uuid_text(const std::string& text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

// Applies one status; answers the changed message (id, conversation) or nullopt. A status for a wamid not stored
// yet finds our message by its callback data, or is parked until the wamid is stored. Caller holds the wamid lock.
std::optional<std::pair<std::string, std::string>> apply_status(DbConnection& db, pqxx::transaction_base& tx,
                                                                const std::string& account_id,
                                                                const domain::StatusUpdate& status, bool& parked) {
    const auto name = std::string(domain::to_string(status.status));
    const auto error = error_json(status.error);
    auto updated = db.exec(tx, kApplyStatus, account_id, status.wa_message_id, name, nullable(error));
    if (!updated.empty()) return std::make_pair(updated[0][0].as<std::string>(), updated[0][1].as<std::string>());
    if (!db.exec(tx, kMessageExists, account_id, status.wa_message_id).empty()) return std::nullopt;
    if (status.callback_data && is_uuid_text(*status.callback_data) &&
        !db.exec(tx, kAttachByCallback, account_id, *status.callback_data, status.wa_message_id).empty()) {
        updated = db.exec(tx, kApplyStatus, account_id, status.wa_message_id, name, nullable(error));
        if (!updated.empty()) return std::make_pair(updated[0][0].as<std::string>(), updated[0][1].as<std::string>());
        return std::nullopt;
    }
    if (!db.exec(tx, kIsSentReaction, account_id, status.wa_message_id).empty()) return std::nullopt;
    db.exec(tx, kParkStatus, account_id, status.wa_message_id, name, nullable(error), unix_seconds(status.timestamp));
    parked = true;
    return std::nullopt;
}

// The wamid an inbound reaction is about, or "" when the payload names none.
std::string reaction_target(const domain::InboundMessage& message) {
    if (message.type != "reaction") return {};
    const auto found = message.content.find("message_id");
    return found != message.content.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::string reaction_emoji(const domain::InboundMessage& message) {
    const auto found = message.content.find("emoji");
    return found != message.content.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The work of one batch in the documented lock order (docs/ARCHITECTURE.md "Lock order"): every contact (and its
// open conversation) in (account, wa_id) order, then every status's wamid in (account, wamid) order. Two batches,
// or a batch and a send, may then wait for each other but never deadlock, whatever the deliveries hold.
struct ContactStep {
    std::string account_id;
    std::string wa_id;
    std::size_t change = 0;  // index into the batch's flattened changes
    const domain::InboundMessage* message = nullptr;  // null: a contact named without a message of its own
    std::optional<std::string> profile_name;
};

// A status of an outbound message, or an inbound reaction to fold onto its target: both change a message found by
// its wamid, so both go in wamid order under that wamid's lock.
struct StatusStep {
    std::string account_id;
    const domain::StatusUpdate* status = nullptr;
    std::size_t change = 0;
    const domain::InboundMessage* reaction = nullptr;  // set instead of `status`
    std::string wamid;                                  // the status's, or the reaction's target
};

struct RoutedRef {
    const DeliveryToStore::RoutedChange* routed;
    std::size_t delivery;
};

std::vector<ContactStep> contact_steps(const std::vector<RoutedRef>& changes) {
    std::vector<ContactStep> steps;
    for (std::size_t index = 0; index < changes.size(); ++index) {
        const auto& [account_id, change] = *changes[index].routed;
        std::map<std::string, std::optional<std::string>> profile_names;  // wa_id → profile name, from contacts[]
        for (const auto& contact : change.contacts) profile_names[contact.wa_id] = contact.profile_name;
        std::set<std::string> senders;
        for (const auto& message : change.messages) {
            auto named = profile_names.find(message.from);
            steps.push_back({account_id, message.from, index, &message,
                             named == profile_names.end() ? std::nullopt : named->second});
            senders.insert(message.from);
        }
        // Contacts named without a message of theirs in the change (e.g. next to statuses): keep their profile fresh.
        for (const auto& contact : change.contacts) {
            if (!senders.contains(contact.wa_id)) steps.push_back({account_id, contact.wa_id, index, nullptr, contact.profile_name});
        }
    }
    std::stable_sort(steps.begin(), steps.end(), [](const ContactStep& a, const ContactStep& b) {
        return std::tie(a.account_id, a.wa_id) < std::tie(b.account_id, b.wa_id);
    });
    return steps;
}

std::vector<StatusStep> status_steps(const std::vector<RoutedRef>& changes) {
    std::vector<StatusStep> steps;
    for (std::size_t index = 0; index < changes.size(); ++index) {
        for (const auto& status : changes[index].routed->change.statuses) {
            steps.push_back({changes[index].routed->account_id, &status, index, nullptr, status.wa_message_id});
        }
        for (const auto& message : changes[index].routed->change.messages) {
            if (auto target = reaction_target(message); !target.empty()) {
                steps.push_back({changes[index].routed->account_id, nullptr, index, &message, std::move(target)});
            }
        }
    }
    std::stable_sort(steps.begin(), steps.end(), [](const StatusStep& a, const StatusStep& b) {
        return std::tie(a.account_id, a.wamid) < std::tie(b.account_id, b.wamid);
    });
    return steps;
}

void store_message(DbConnection& db, pqxx::transaction_base& tx, const ContactStep& step,
                   const std::string& conversation_id, StoredChange& stored) {
    const auto& message = *step.message;
    const auto& media = message.media;
    auto inserted = db.exec(
        tx, kInsertInboundMessage, step.account_id, conversation_id, message.wa_message_id, message.type,
        nullable(message.text), message.content.dump(), nullable(error_json(message.error)),
        nullable(message.reply_to_wa_message_id), unix_seconds(message.timestamp),
        nullable(media ? std::optional<std::string>(media->media_id) : std::nullopt),
        nullable(media && !media->mime_type.empty() ? std::optional<std::string>(media->mime_type) : std::nullopt),
        nullable(media ? media->filename : std::nullopt), message.preview);
    if (inserted.empty()) {
        ++stored.duplicate_messages;
        return;
    }
    auto message_id = inserted[0][0].as<std::string>();
    stored.created_message_ids.push_back(message_id);
    // Message ids are UUIDs: a comma-separated list needs no quoting.
    if (auto replies = optional_text(inserted[0][1])) {
        for (std::size_t start = 0; start < replies->size();) {
            const auto end = std::min(replies->find(',', start), replies->size());
            add_unique(stored.updated_message_ids, replies->substr(start, end - start));
            start = end + 1;
        }
    }
    add_unique(stored.touched_conversation_ids, conversation_id);
    if (media) {
        db.exec(tx, kQueueMediaDownload, step.account_id, message_id);
        ++stored.media_jobs;
    }
}

// Stores every account change of the batch; results by flattened change index.
std::vector<StoredChange> store_changes(DbConnection& db, pqxx::transaction_base& tx,
                                        const std::vector<RoutedRef>& changes) {
    std::vector<StoredChange> stored;
    for (const auto& ref : changes) stored.push_back(StoredChange{ref.routed->account_id, {}, {}, {}, 0, 0, 0});

    std::map<std::pair<std::string, std::string>, std::string> conversations;  // (account, wa_id) → open conversation
    for (const auto& step : contact_steps(changes)) {
        if (!step.message) {
            if (!conversations.contains({step.account_id, step.wa_id})) {
                db.exec(tx, kUpsertContact, step.account_id, step.wa_id, nullable(step.profile_name));
            }
            continue;
        }
        auto conversation = conversations.find({step.account_id, step.wa_id});
        if (conversation == conversations.end()) {
            auto opened = db.exec(tx, kOpenSendersConversation, step.account_id, step.wa_id, nullable(step.profile_name));
            conversation = conversations.emplace(std::pair{step.account_id, step.wa_id}, opened[0][0].as<std::string>()).first;
        }
        store_message(db, tx, step, conversation->second, stored[step.change]);
    }

    std::pair<std::string, std::string> locked;  // the last wamid locked: a repeated status needs no second lock
    for (const auto& step : status_steps(changes)) {
        auto& change = stored[step.change];
        if (locked != std::pair{step.account_id, step.wamid}) {
            db.exec(tx, kLockWamid, step.account_id, step.wamid);
            locked = {step.account_id, step.wamid};
        }
        std::optional<std::pair<std::string, std::string>> changed;
        if (step.reaction) {
            // A target not stored (yet) keeps only the reaction message itself.
            auto folded = db.exec(tx, kFoldInboundReaction, step.account_id, step.wamid, reaction_emoji(*step.reaction),
                                  unix_seconds(step.reaction->timestamp));
            if (!folded.empty()) changed = std::pair{folded[0][0].as<std::string>(), folded[0][1].as<std::string>()};
        } else {
            bool parked = false;
            changed = apply_status(db, tx, step.account_id, *step.status, parked);
            if (parked) ++change.parked_statuses;
        }
        if (changed) {
            add_unique(change.updated_message_ids, changed->first);
            add_unique(change.touched_conversation_ids, changed->second);
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

void add_to_notice(LiveNotice& notice, const StoredChange& change) {
    notice.account_id = change.account_id;
    for (const auto& id : change.created_message_ids) notice.created_message_ids.push_back(id);
    for (const auto& id : change.updated_message_ids) add_unique(notice.updated_message_ids, id);
    for (const auto& id : change.touched_conversation_ids) add_unique(notice.conversation_ids, id);
    if (change.media_jobs > 0) notice.jobs_queued = true;
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
        std::vector<RoutedRef> changes;
        for (std::size_t index = 0; index < deliveries.size(); ++index) {
            for (const auto& routed : deliveries[index].account_changes) changes.push_back({&routed, index});
        }
        auto stored_changes = store_changes(db, tx, changes);
        for (const auto& delivery : deliveries) {
            for (const auto& change : delivery.template_changes) store_template_status(db, tx, change);
        }

        stored.resize(deliveries.size());
        std::map<std::string, LiveNotice> notices;
        for (std::size_t index = 0; index < changes.size(); ++index) {
            add_to_notice(notices[stored_changes[index].account_id], stored_changes[index]);
            stored[changes[index].delivery].changes.push_back(std::move(stored_changes[index]));
        }
        std::vector<WebhookEventRepository::FinishedEvent> finished;
        for (std::size_t index = 0; index < deliveries.size(); ++index) {
            const auto& delivery = deliveries[index];
            stored[index].handled = !delivery.account_changes.empty() || !delivery.template_changes.empty();
            finished.push_back({delivery.event_id,
                                stored[index].handled ? WebhookEventRepository::Outcome::processed
                                                      : WebhookEventRepository::Outcome::ignored,
                                delivery.notes});
        }
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

}  // namespace inbox::storage
