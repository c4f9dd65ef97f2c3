#include "inbox/services/media_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <system_error>
#include <nlohmann/json.hpp>

#include "inbox/auth/hex.hpp"
#include "inbox/auth/sha256_digest.hpp"
#include "inbox/auth/url_signer.hpp"
#include "inbox/cache/cache.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/media/media_store.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/inbox_cache_keys.hpp"
#include "inbox/services/key_waiters.hpp"
#include "inbox/storage/job_repository.hpp"
#include "inbox/storage/media_repository.hpp"

namespace inbox::services {
namespace {

using jobs::JobOutcome;
using Outcome = MediaAnswer::Outcome;

// Meta's metadata as cached: the URL with the time it was fetched, since only a fresh one may be used.
struct CachedMeta {
    graph::MediaMeta meta;
    std::int64_t fetched_at_ms = 0;
};

std::int64_t unix_ms(domain::TimePoint time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::string encode_meta(const graph::MediaMeta& meta, domain::TimePoint fetched_at) {
    return nlohmann::json{{"url", meta.url},
                          {"mime_type", meta.mime_type},
                          {"sha256", meta.sha256},
                          {"file_size", meta.file_size},
                          {"fetched_at_ms", unix_ms(fetched_at)}}
        .dump();
}

std::optional<CachedMeta> decode_meta(const std::optional<std::string>& text, const std::string& media_id) {
    if (!text) return std::nullopt;
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (!json.is_object()) return std::nullopt;
    try {
        CachedMeta cached;
        cached.meta.id = media_id;
        cached.meta.url = json.at("url").get<std::string>();
        cached.meta.mime_type = json.at("mime_type").get<std::string>();
        cached.meta.sha256 = json.at("sha256").get<std::string>();
        cached.meta.file_size = json.at("file_size").get<std::uint64_t>();
        cached.fetched_at_ms = json.at("fetched_at_ms").get<std::int64_t>();
        return cached;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // an older format: a miss
    }
}

std::optional<std::string> payload_member(const std::string& payload, const char* name) {
    auto json = nlohmann::json::parse(payload, nullptr, false);
    if (!json.is_object()) return std::nullopt;
    auto found = json.find(name);
    if (found == json.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
}

std::string payload_of(const char* name, const std::string& value) { return nlohmann::json{{name, value}}.dump(); }

MediaAnswer answer(Outcome outcome, std::string location = {}) { return {outcome, std::move(location)}; }

// Built in plain functions: aggregates of strings inside coroutine bodies trip GCC 12 (docs/ARCHITECTURE.md).
storage::NewJob scan_job(const std::string& account_id, const std::string& conversation_id) {
    return {storage::kCheckMediaJob, account_id, payload_of("conversation_id", conversation_id), conversation_id};
}

storage::StoredMediaFile stored_file(const graph::MediaDownload& file, const std::string& key,
                                     const std::string& mime, bool verified) {
    return {file.sha256_hex, verified, file.bytes, key, mime};
}

// The digest Meta advertised (hex or base64) as lower-case hex; empty when it sent none we can read.
std::string expected_sha256_hex(const std::string& advertised) {
    auto digest = auth::decode_sha256_digest(advertised);
    return digest ? auth::to_hex(*digest) : std::string();
}

std::string refusal_text(const graph::GraphRefusal& refusal) {
    return "refused: HTTP " + std::to_string(refusal.http_status) + " code " + std::to_string(refusal.code) + " " +
           refusal.title;
}

// What a metadata lookup came to.
struct MetaLookup {
    std::optional<graph::MediaMeta> meta;
    bool expired = false;
    std::string error;                                 // neither: why it should be retried
    std::optional<graph::GraphUnavailable> unavailable;  // Meta down, not this media's fault
};

MetaLookup lookup_of(const graph::GraphResult<graph::MediaMeta>& result) {
    MetaLookup lookup;
    if (result) {
        lookup.meta = result.value();
    } else if (result.expired()) {
        lookup.expired = true;
    } else if (const auto* refusal = result.refused()) {
        lookup.error = "media metadata " + refusal_text(*refusal);
    } else {
        lookup.error = "media metadata unavailable: " + result.unavailable()->reason;
        lookup.unavailable = *result.unavailable();
    }
    return lookup;
}

// How soon a download that could not be written (a full disk) is tried again; no attempt is spent meanwhile.
constexpr std::chrono::seconds kLocalWriteRetry{5};

// Meta unreachable, failing or throttling, or its breaker open: waiting costs the job no attempt, so a download
// queued during an outage of any length completes after it (within the media id's 7 days).
JobOutcome postponed(const graph::GraphUnavailable& failure, std::string error) {
    const auto delay = std::clamp(std::chrono::seconds(failure.retry_after_seconds), std::chrono::seconds(5),
                                  std::chrono::seconds(60));
    return JobOutcome::postpone_for(delay, std::move(error));
}

}  // namespace

MediaService::MediaService(storage::MediaRepository& media, storage::JobRepository& jobs, jobs::JobRunner& runner,
                           graph::GraphApi& graph, cache::Cache& cache, media::MediaStore& store, KeyWaiters& waiters,
                           observability::MetricsRegistry& metrics, MediaServiceOptions options, Clock clock)
    : media_(media),
      jobs_(jobs),
      runner_(runner),
      graph_(graph),
      cache_(cache),
      store_(store),
      waiters_(waiters),
      options_(std::move(options)),
      clock_(std::move(clock)),
      scans_(&metrics.counter("inbox_check_media_scans_total",
                              "check-media scans started (one per conversation and "
                              "debounce period, across instances)")),
      unverified_(&metrics.counter("inbox_media_unverified_total",
                                   "media stored without Meta's sha256 to check it against (sha256 null in answers)")) {}

std::string MediaService::signed_location(const std::string& key, const std::optional<std::string>& filename) const {
    // Expiry rounded up to the next 10 minutes: repeated answers give the same URL, so browsers cache its bytes.
    using TenMinutes = std::chrono::duration<std::int64_t, std::ratio<600>>;
    const auto rounded =
        domain::TimePoint(std::chrono::ceil<TenMinutes>((clock_() + options_.url_lifetime).time_since_epoch()));
    std::optional<std::string_view> name;
    if (filename && !filename->empty()) name = *filename;
    auto path = auth::sign_media_path(options_.url_secret, key, rounded, name);
    return options_.public_base_url ? *options_.public_base_url + path : path;
}

boost::asio::awaitable<std::optional<MediaAnswer>> MediaService::answer_of(const std::string& user_id,
                                                                           const std::string& message_id) {
    auto row = co_await media_.find_for_user(user_id, message_id);
    if (!row) co_return std::nullopt;
    // Our own media sends are stored from the start and have no Meta id of their own (migration 0014).
    if (row->state == "stored" && row->key) co_return answer(Outcome::stored, signed_location(*row->key, row->filename));
    if (!row->media_id) co_return answer(Outcome::no_media);
    if (row->state == "expired") co_return answer(Outcome::expired);
    if (row->state == "failed") co_return answer(Outcome::failed);
    co_return answer(Outcome::pending);  // its download job is queued by the same statement
}

boost::asio::awaitable<MediaAnswer> MediaService::media(std::string user_id, std::string message_id,
                                                        std::chrono::milliseconds wait) {
    // Registered before the state is read: a download that ends in between still wakes this request.
    std::unique_ptr<KeyWaiters::Ticket> ticket;
    if (wait.count() > 0) ticket = co_await waiters_.prepare(message_id);
    auto first = co_await answer_of(user_id, message_id);
    if (!first) co_return answer(Outcome::not_found);
    if (first->outcome != Outcome::pending) co_return *first;
    runner_.wake();
    if (!ticket) co_return *first;
    co_await ticket->wait(wait);
    auto second = co_await answer_of(user_id, message_id);
    co_return second ? *second : answer(Outcome::not_found);
}

boost::asio::awaitable<CheckMediaAnswer> MediaService::check_conversation(std::string user_id,
                                                                          std::string conversation_id) {
    CheckMediaAnswer result;
    auto account = co_await media_.conversation_account(user_id, conversation_id);
    if (!account) co_return result;
    const auto key = check_media_cache_key(conversation_id);
    const auto until =
        std::chrono::duration_cast<std::chrono::seconds>((clock_() + options_.check_media_debounce).time_since_epoch())
            .count();
    // Redis first: while its marker is there, the answer costs no Postgres statement. Stored (or Redis failing
    // open), the mark in Postgres decides, so an unreachable or slow Redis never lets a second scan through.
    if (co_await cache_.set_if_absent(key, std::to_string(until), options_.check_media_debounce)) {
        const auto claim = co_await media_.claim_check_media_scan(conversation_id, options_.check_media_debounce,
                                                                  scan_job(*account, conversation_id));
        if (claim.claimed) {
            runner_.wake();
            result.outcome = CheckMediaAnswer::Outcome::started;
            co_return result;
        }
        result.outcome = CheckMediaAnswer::Outcome::skipped;
        result.retry_after_seconds = static_cast<int>(claim.retry_after_seconds);
        co_return result;
    }
    result.outcome = CheckMediaAnswer::Outcome::skipped;
    result.retry_after_seconds = 1;
    const auto marker = co_await cache_.get(key);
    if (marker) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
        try {
            result.retry_after_seconds = static_cast<int>(std::max<std::int64_t>(1, std::stoll(*marker) - now));
        } catch (const std::exception&) {
            // an unreadable marker: the default of 1 s
        }
    }
    co_return result;
}

boost::asio::awaitable<JobOutcome> MediaService::run_scan(storage::Job job) {
    auto conversation_id = payload_member(job.payload_json, "conversation_id");
    if (!conversation_id) co_return JobOutcome::give_up("payload without conversation_id");
    const auto queued = co_await media_.queue_unstored(*conversation_id);
    scans_->inc();
    if (queued > 0) runner_.wake();
    spdlog::debug("check-media scan of conversation {}: {} downloads queued", *conversation_id, queued);
    co_return JobOutcome::finished();
}

void MediaService::media_changed(const std::string& message_id) { waiters_.notify(message_id); }

SignedMedia MediaService::open_signed(std::string_view key, std::string_view expires, std::string_view sig,
                                      std::optional<std::string> filename) const {
    SignedMedia result;
    std::optional<std::string_view> name;
    if (filename) name = *filename;
    switch (auth::verify_media_url(options_.url_secret, key, expires, sig, clock_(), name)) {
        case auth::MediaUrlCheck::invalid_signature:
            result.outcome = SignedMedia::Outcome::invalid_signature;
            return result;
        case auth::MediaUrlCheck::expired:
            result.outcome = SignedMedia::Outcome::url_expired;
            return result;
        case auth::MediaUrlCheck::ok:
            break;
    }
    result.media = store_.open(key);
    result.filename = std::move(filename);
    result.outcome = result.media ? SignedMedia::Outcome::ok : SignedMedia::Outcome::not_found;
    return result;
}

boost::asio::awaitable<JobOutcome> MediaService::end_as(const std::string& message_id, const char* state,
                                                        std::string error) {
    co_await media_.mark_unavailable(message_id, state, error);
    waiters_.notify(message_id);
    if (std::string_view(state) == "expired") co_return JobOutcome::finished();
    co_return JobOutcome::give_up(std::move(error));
}

boost::asio::awaitable<JobOutcome> MediaService::give_up_or_retry(const storage::Job& job,
                                                                  const std::string& message_id, std::string error) {
    if (job.attempts >= job.max_attempts) co_return co_await end_as(message_id, "failed", std::move(error));
    spdlog::info("media of message {}: attempt {} of {} failed ({}), retrying", message_id, job.attempts,
                 job.max_attempts, error);
    co_return JobOutcome::retry_in(jobs::backoff_after(job.attempts), std::move(error));
}

boost::asio::awaitable<JobOutcome> MediaService::run_download(storage::Job job) {
    auto message_id = payload_member(job.payload_json, "message_id");
    if (!message_id) co_return JobOutcome::give_up("payload without message_id");
    auto row = co_await media_.find_for_download(*message_id);
    if (!row || row->state == "stored" || row->state == "expired") co_return JobOutcome::finished();
    co_return co_await download(job, *message_id, *row);
}

boost::asio::awaitable<JobOutcome> MediaService::download(const storage::Job& job, const std::string& message_id,
                                                          const storage::MediaToDownload& row) {
    const auto cache_key = media_meta_cache_key(row.media_id);
    const auto cached_text = co_await cache_.get(cache_key);
    auto cached = decode_meta(cached_text, row.media_id);
    const auto fresh_after = unix_ms(clock_()) - std::chrono::milliseconds(options_.url_fresh_for).count();
    std::optional<graph::MediaMeta> meta;
    if (cached && cached->fetched_at_ms > fresh_after) meta = std::move(cached->meta);

    bool url_retried = false;  // one fresh URL after a 401/404, per attempt
    for (;;) {
        if (!meta) {
            auto lookup = lookup_of(co_await graph_.get_media_meta(row.media_id, row.access_token));
            if (lookup.expired) co_return co_await end_as(message_id, "expired", "media id expired at Meta");
            if (lookup.unavailable) co_return postponed(*lookup.unavailable, std::move(lookup.error));
            if (!lookup.meta) co_return co_await give_up_or_retry(job, message_id, std::move(lookup.error));
            meta = std::move(lookup.meta);
            co_await cache_.set(cache_key, encode_meta(*meta, clock_()), options_.meta_cache_ttl);
        }
        const auto path = store_.temp_path();
        std::optional<graph::GraphResult<graph::MediaDownload>> downloaded;
        try {
            downloaded = co_await graph_.download_media(meta->url, row.access_token, path, options_.max_bytes);
        } catch (const std::system_error& error) {
            // The temp file could not be written (a full disk): no attempt spent, the bytes are fetched again.
            spdlog::warn("media of message {}: the download could not be written: {}", message_id, error.what());
        }
        if (!downloaded) co_return JobOutcome::postpone_for(kLocalWriteRetry, "the media store could not write it");
        auto& got = *downloaded;
        if (got.expired()) co_return co_await end_as(message_id, "expired", "media id expired at Meta");
        // Meta's URL went stale (401/404, whatever the body says): one refetch of the metadata per attempt.
        const auto status =
            got.refused() ? got.refused()->http_status : (got.unavailable() ? got.unavailable()->http_status : 0u);
        if ((status == 401 || status == 404) && !url_retried) {
            url_retried = true;
            meta.reset();
            continue;
        }
        if (const auto* refusal = got.refused()) {
            if (refusal->http_status == 0 && refusal->title == graph::kMediaTooLarge) {
                co_return co_await end_as(message_id, "failed",
                                          "larger than " + std::to_string(options_.max_bytes >> 20) + " MB");
            }
            if (refusal->http_status == 0 && refusal->title == graph::kMediaHostNotAllowed) {
                co_return co_await end_as(message_id, "failed", "the download host is not in GRAPH_MEDIA_HOSTS");
            }
            co_return co_await give_up_or_retry(job, message_id, "media download " + refusal_text(*refusal));
        }
        if (!got) {
            co_return postponed(*got.unavailable(), "media download unavailable: " + got.unavailable()->reason);
        }

        const auto& file = got.value();
        const auto expected = expected_sha256_hex(meta->sha256);
        if (!expected.empty() && expected != file.sha256_hex) {
            media::MediaStore::discard(path);
            co_return co_await give_up_or_retry(job, message_id, "sha256 mismatch: the bytes are not Meta's");
        }
        if (expected.empty()) {
            spdlog::warn("media of message {}: Meta sent no sha256; stored as unverified", message_id);
            unverified_->inc();
        }
        auto mime = row.mime_type.value_or(meta->mime_type.empty() ? file.content_type : meta->mime_type);
        std::string key;
        std::string store_error;
        try {
            key = co_await store_.adopt_off_loop(path, file.sha256_hex, mime);
        } catch (const std::exception& error) {
            key.clear();
            store_error = error.what();
        }
        if (!store_error.empty()) spdlog::warn("media of message {}: storing failed: {}", message_id, store_error);
        // A full or failing disk is not this media's fault either: no attempt is spent waiting for room.
        if (key.empty()) co_return JobOutcome::postpone_for(kLocalWriteRetry, "the media store could not keep it");
        co_await media_.mark_stored(message_id, stored_file(file, key, mime, !expected.empty()));
        waiters_.notify(message_id);
        co_return JobOutcome::finished();
    }
}

}  // namespace inbox::services
