#include "inbox/storage/media_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

#define INBOX_QUEUE_DOWNLOAD_CONFLICT \
    " ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running') DO NOTHING"

constexpr Query kFindForUser{
    "media_find_for_user",
    "WITH m AS MATERIALIZED ("
    "    SELECT m.id, m.account_id, m.media_id, m.media_state, m.media_key, m.media_mime_type, m.media_error,"
    "           m.media_filename"
    "    FROM messages m JOIN account_members mb ON mb.account_id = m.account_id AND mb.user_id = $1"
    "    WHERE m.id = $2::uuid),"
    " queued AS ("
    "    INSERT INTO jobs (kind, account_id, payload, dedupe_key)"
    "    SELECT 'media_download', m.account_id, jsonb_build_object('message_id', m.id::text), m.id::text"
    "    FROM m WHERE m.media_state = 'pending'" INBOX_QUEUE_DOWNLOAD_CONFLICT " RETURNING 1)"
    " SELECT m.id::text, m.media_id, m.media_state, m.media_key, m.media_mime_type, m.media_error,"
    "        (SELECT count(*) FROM queued), m.media_filename"
    " FROM m"};

constexpr Query kFindForDownload{
    "media_find_for_download",
    "SELECT m.account_id::text, m.media_id, m.media_state, m.media_mime_type, a.access_token"
    " FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1::uuid AND m.media_id IS NOT NULL"};

constexpr Query kMarkStored{
    "media_mark_stored",
    "WITH stored AS ("
    "    UPDATE messages SET media_state = 'stored', media_sha256 = CASE WHEN $7 THEN $2 END, media_verified = $7,"
    "      media_file_size = $3, media_key = $4,"
    "      media_mime_type = coalesce(media_mime_type, nullif($5, '')), media_error = NULL, updated_at = now()"
    "    WHERE id = $1::uuid AND media_state <> 'stored' RETURNING id, account_id)"
    " SELECT pg_notify($6, json_build_object('account_id', s.account_id, 'updated', json_build_array(s.id))::text)"
    " FROM stored s"};

constexpr Query kMarkUnavailable{
    "media_mark_unavailable",
    "WITH changed AS ("
    "    UPDATE messages SET media_state = $2, media_error = $3, updated_at = now()"
    "    WHERE id = $1::uuid AND media_state = 'pending' RETURNING id, account_id)"
    " SELECT pg_notify($4, json_build_object('account_id', c.account_id, 'updated', json_build_array(c.id))::text)"
    " FROM changed c"};

constexpr Query kConversationAccount{
    "media_conversation_account",
    "SELECT c.account_id::text FROM conversations c"
    " JOIN account_members mb ON mb.account_id = c.account_id AND mb.user_id = $1 WHERE c.id = $2::uuid"};

// Claims the conversation's next check-media scan and queues it, in one statement (so a claim never stands without
// its scan): the mark only when the previous claim's period is over (or there was none); its conflict path locks the
// mark, so two instances claiming at once get one claim between them. Column 0: claimed; column 1: the seconds until
// a scan may start again when not claimed (the statement's snapshot: the mark as it was before this statement).
constexpr Query kClaimCheckMediaScan{
    "media_claim_check_media_scan",
    "WITH claim AS ("
    "    INSERT INTO check_media_marks AS mark (conversation_id, next_scan_at)"
    "    VALUES ($1::uuid, now() + make_interval(secs => $2))"
    "    ON CONFLICT (conversation_id) DO UPDATE SET next_scan_at = EXCLUDED.next_scan_at"
    "    WHERE mark.next_scan_at <= now()"
    "    RETURNING conversation_id),"
    " queued AS ("
    "    INSERT INTO jobs (kind, account_id, payload, dedupe_key) SELECT $3, $4::uuid, $5::jsonb, $6 FROM claim"
    "    ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running') DO NOTHING"
    "    RETURNING id)"
    " SELECT EXISTS (SELECT 1 FROM claim), (SELECT count(*) FROM queued),"
    "        (SELECT greatest(1, ceil(extract(epoch FROM next_scan_at - now())))::bigint FROM check_media_marks"
    "         WHERE conversation_id = $1::uuid)"};

// Served by messages_unstored_media. Failed media gets another chance; expired media never comes back.
constexpr Query kQueueUnstored{
    "media_queue_unstored",
    "WITH revived AS ("
    "    UPDATE messages m SET media_state = 'pending', media_error = NULL, updated_at = now()"
    "    WHERE m.conversation_id = $1::uuid AND m.media_id IS NOT NULL AND m.media_state = 'failed'"
    "    RETURNING m.id, m.account_id),"
    " unstored AS ("
    "    SELECT id, account_id FROM revived"
    "    UNION ALL SELECT m.id, m.account_id FROM messages m"
    "    WHERE m.conversation_id = $1::uuid AND m.media_id IS NOT NULL AND m.media_state = 'pending')"
    " INSERT INTO jobs (kind, account_id, payload, dedupe_key)"
    " SELECT 'media_download', u.account_id, jsonb_build_object('message_id', u.id::text), u.id::text FROM unstored u"
    INBOX_QUEUE_DOWNLOAD_CONFLICT};

#undef INBOX_QUEUE_DOWNLOAD_CONFLICT

}  // namespace

// None of these is a coroutine, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::optional<MessageMedia>> MediaRepository::find_for_user(std::string user_id,
                                                                                  std::string message_id) {
    return lane_.run([user_id = std::move(user_id),
                      message_id = std::move(message_id)](DbConnection& db) -> std::optional<MessageMedia> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindForUser, user_id, message_id);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        return MessageMedia{row[0].as<std::string>(), optional_text(row[1]), optional_text(row[2]).value_or(""),
                            optional_text(row[3]),    optional_text(row[4]), optional_text(row[5]),
                            optional_text(row[7])};
    });
}

boost::asio::awaitable<std::optional<MediaToDownload>> MediaRepository::find_for_download(std::string message_id) {
    return lane_.run([message_id = std::move(message_id)](DbConnection& db) -> std::optional<MediaToDownload> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindForDownload, message_id);
        if (result.empty()) return std::nullopt;
        const auto& row = result[0];
        return MediaToDownload{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                               optional_text(row[3]), row[4].as<std::string>()};
    });
}

boost::asio::awaitable<bool> MediaRepository::mark_stored(std::string message_id, StoredMediaFile file) {
    return lane_.run([message_id = std::move(message_id), file = std::move(file)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return !db.exec(tx, kMarkStored, message_id, file.sha256_hex, static_cast<std::int64_t>(file.size), file.key,
                        file.mime_type, std::string(kLiveChannel), file.verified)
                    .empty();
    });
}

boost::asio::awaitable<bool> MediaRepository::mark_unavailable(std::string message_id, std::string state,
                                                               std::string error) {
    return lane_.run([message_id = std::move(message_id), state = std::move(state),
                      error = std::move(error)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return !db.exec(tx, kMarkUnavailable, message_id, state, error, std::string(kLiveChannel)).empty();
    });
}

boost::asio::awaitable<std::optional<std::string>> MediaRepository::conversation_account(std::string user_id,
                                                                                        std::string conversation_id) {
    return lane_.run([user_id = std::move(user_id),
                      conversation_id = std::move(conversation_id)](DbConnection& db) -> std::optional<std::string> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kConversationAccount, user_id, conversation_id);
        if (result.empty()) return std::nullopt;
        return result[0][0].as<std::string>();
    });
}

boost::asio::awaitable<ScanClaim> MediaRepository::claim_check_media_scan(std::string conversation_id,
                                                                          std::chrono::seconds debounce, NewJob scan) {
    return lane_.run([conversation_id = std::move(conversation_id), debounce, scan = std::move(scan)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());  // one autocommitted statement
        auto row = db.exec(tx, kClaimCheckMediaScan, conversation_id, static_cast<double>(debounce.count()), scan.kind,
                           nullable(scan.account_id), scan.payload_json, nullable(scan.dedupe_key))[0];
        ScanClaim claim;
        claim.claimed = row[0].as<bool>();
        if (!claim.claimed && !row[2].is_null()) claim.retry_after_seconds = row[2].as<std::int64_t>();
        return claim;
    });
}

boost::asio::awaitable<std::size_t> MediaRepository::queue_unstored(std::string conversation_id) {
    return lane_.run([conversation_id = std::move(conversation_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return static_cast<std::size_t>(db.exec(tx, kQueueUnstored, conversation_id).affected_rows());
    });
}

}  // namespace inbox::storage
