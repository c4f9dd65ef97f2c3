#pragma once
// The media of messages (API.md "Media"): a caller's view of one message's media, with the caller's membership in
// the statement and the download queued in the same round trip when it is not stored; what the download job needs;
// and the outcomes, each NOTIFYing live clients (message.updated) and media waiters on every instance.
#include "inbox/storage/db_lane.hpp"
#include "inbox/storage/job_repository.hpp"
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace inbox::storage {

class DbPool;

inline constexpr const char* kMediaDownloadJob = "media_download";  // payload {"message_id"}, dedupe: message id
inline constexpr const char* kCheckMediaJob = "check_media";        // payload {"conversation_id"}, dedupe: its id

struct MessageMedia {
    std::string message_id;
    std::optional<std::string> media_id;  // empty: the message has no media
    std::string state;                    // pending | stored | failed | expired ("" without media)
    std::optional<std::string> key;       // stored: the media store's key
    std::optional<std::string> mime_type;
    std::optional<std::string> error;     // failed: why
    std::optional<std::string> filename;  // as the sender named it (documents)
};

// What a download job reads. The access token is for the Graph calls only: never log or cache it.
struct MediaToDownload {
    std::string account_id;
    std::string media_id;
    std::string state;
    std::optional<std::string> mime_type;
    std::string access_token;
};

struct StoredMediaFile {
    std::string sha256_hex;  // of the bytes stored (their key)
    bool verified = true;    // the bytes matched the digest Meta advertised (false: Meta sent none)
    std::uint64_t size = 0;
    std::string key;
    std::string mime_type;
};

struct ScanClaim {
    bool claimed = false;
    std::int64_t retry_after_seconds = 1;  // when not claimed
};

class MediaRepository {
public:
    explicit MediaRepository(DbPool& pool) : lane_(pool, "media") {}

    // nullopt: no such message for this user. A pending media's download job is queued (once) by this statement.
    boost::asio::awaitable<std::optional<MessageMedia>> find_for_user(std::string user_id, std::string message_id);

    boost::asio::awaitable<std::optional<MediaToDownload>> find_for_download(std::string message_id);
    boost::asio::awaitable<bool> mark_stored(std::string message_id, StoredMediaFile file);
    // `state` is failed or expired.
    boost::asio::awaitable<bool> mark_unavailable(std::string message_id, std::string state, std::string error);

    // The account of a conversation the user may see; nullopt otherwise.
    boost::asio::awaitable<std::optional<std::string>> conversation_account(std::string user_id,
                                                                            std::string conversation_id);
    // check-media's debounce of record (migration 0007): claimed when no scan of the conversation started within
    // `debounce`, and then `scan` is queued by the same statement; otherwise the seconds until one may.
    boost::asio::awaitable<ScanClaim> claim_check_media_scan(std::string conversation_id,
                                                             std::chrono::seconds debounce, NewJob scan);
    // check-media's scan: queues the download of every unstored media of the conversation (failed ones become
    // pending again; expired ones stay). Answers how many downloads were queued.
    boost::asio::awaitable<std::size_t> queue_unstored(std::string conversation_id);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
