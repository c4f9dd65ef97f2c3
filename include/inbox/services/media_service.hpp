#pragma once
// Inbound media (API.md "Media"): downloaded at once, by a durable job per message (storage::JobRepository; one
// download however many callers or instances ask), into the content-addressed media store; served as a signed URL
// of our own. Meta's media URLs live 5 minutes and need the account's token; its ids expire after 7 days.
//
// A download: metadata from `media_meta:{media_id}` (1 h; its URL reused only while < 4 min old) or Graph
// `GET /{media-id}` → the bytes streamed to a temp file (100 MB at most, allow-listed hosts only, the token never
// sent elsewhere) → SHA-256 checked against Meta's (hex or base64) → renamed into the store → `stored`. A URL that
// answers 401/404 is refetched once. Meta's "object does not exist" → `expired`. A mismatch, an outage or a full
// disk is retried with back-off; when the retries are used up → `failed`.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"
#include "inbox/jobs/job_runner.hpp"
#include "inbox/media/media_store.hpp"

namespace inbox::cache {
class Cache;
}
namespace inbox::graph {
class GraphApi;
struct MediaMeta;
}  // namespace inbox::graph
namespace inbox::media {
class MediaStore;
struct StoredMedia;
}  // namespace inbox::media
namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability
namespace inbox::storage {
class JobRepository;
class MediaRepository;
struct MediaToDownload;
}  // namespace inbox::storage

namespace inbox::services {

class KeyWaiters;

struct MediaServiceOptions {
    std::string url_secret;                      // MEDIA_URL_SECRET
    std::optional<std::string> public_base_url;  // PUBLIC_BASE_URL: makes the signed URLs absolute
    std::chrono::seconds url_lifetime{3600};
    std::uint64_t max_bytes = 100ull * 1024 * 1024;
    std::chrono::seconds meta_cache_ttl{3600};
    std::chrono::seconds url_fresh_for{240};  // Meta's URLs live 5 minutes
    std::chrono::seconds check_media_debounce{300};
};

struct MediaAnswer {
    enum class Outcome { stored, pending, no_media, not_found, expired, failed };
    Outcome outcome = Outcome::not_found;
    std::string location;  // stored: the signed URL of our media store
};

// GET /media/{key}?expires&sig: the signature is the credential.
struct SignedMedia {
    enum class Outcome { ok, invalid_signature, url_expired, not_found };
    Outcome outcome = Outcome::not_found;
    std::optional<media::StoredMedia> media;
    std::optional<std::string> filename;  // signed with the URL: the name a download is saved as
};

struct CheckMediaAnswer {
    enum class Outcome { started, skipped, not_found };
    Outcome outcome = Outcome::not_found;
    int retry_after_seconds = 0;  // skipped: until the next scan may start
};

class MediaService {
public:
    using Clock = std::function<domain::TimePoint()>;

    MediaService(
        storage::MediaRepository& media, storage::JobRepository& jobs, jobs::JobRunner& runner, graph::GraphApi& graph,
        cache::Cache& cache, media::MediaStore& store, KeyWaiters& waiters, observability::MetricsRegistry& metrics,
        MediaServiceOptions options, Clock clock = [] { return std::chrono::system_clock::now(); });

    // GET /messages/media/{id}: the state of the message's media for this user, queuing its download when it is not
    // stored; with `wait` > 0, up to that long for the download to end (woken by it, not by polling).
    boost::asio::awaitable<MediaAnswer> media(std::string user_id, std::string message_id,
                                              std::chrono::milliseconds wait);

    // POST /messages/check-media/{conversation_id}: one scan per conversation per debounce period, across every
    // instance sharing the cache.
    boost::asio::awaitable<CheckMediaAnswer> check_conversation(std::string user_id, std::string conversation_id);

    // The file behind a signed URL, when the signature is ours (constant time) and not expired. No I/O but a file
    // open: called on the I/O thread.
    SignedMedia open_signed(std::string_view key, std::string_view expires, std::string_view sig,
                            std::optional<std::string> filename) const;

    // The job handlers (registered with the JobRunner by the composition root).
    boost::asio::awaitable<jobs::JobOutcome> run_download(storage::Job job);
    boost::asio::awaitable<jobs::JobOutcome> run_scan(storage::Job job);

    // A message's media changed somewhere (a NOTIFY): wakes this instance's waiters.
    void media_changed(const std::string& message_id);

private:
    struct Meta;
    boost::asio::awaitable<std::optional<MediaAnswer>> answer_of(const std::string& user_id,
                                                                 const std::string& message_id);
    boost::asio::awaitable<jobs::JobOutcome> download(const storage::Job& job, const std::string& message_id,
                                                      const storage::MediaToDownload& row);
    boost::asio::awaitable<jobs::JobOutcome> give_up_or_retry(const storage::Job& job, const std::string& message_id,
                                                              std::string error);
    boost::asio::awaitable<jobs::JobOutcome> end_as(const std::string& message_id, const char* state,
                                                    std::string error);
    std::string signed_location(const std::string& key, const std::optional<std::string>& filename) const;

    storage::MediaRepository& media_;
    storage::JobRepository& jobs_;
    jobs::JobRunner& runner_;
    graph::GraphApi& graph_;
    cache::Cache& cache_;
    media::MediaStore& store_;
    KeyWaiters& waiters_;
    MediaServiceOptions options_;
    Clock clock_;
    observability::Counter* scans_ = nullptr;
    observability::Counter* unverified_ = nullptr;
};

}  // namespace inbox::services
