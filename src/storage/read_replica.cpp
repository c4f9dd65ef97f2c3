#include "inbox/storage/read_replica.hpp"

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/db_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace inbox::storage {
namespace {

// How long a probe's answer about the replica stays good: a probe that stopped answering means the replica (or
// its pool) is in trouble, and reads should not wait on it.
std::chrono::milliseconds probe_validity(std::chrono::milliseconds interval) {
    return std::max(std::chrono::milliseconds(1000), 5 * interval);
}

std::optional<std::uint64_t> read_lsn(DbConnection& db, const char* sql) {
    pqxx::nontransaction tx(db.raw());
    auto result = db.exec_plain(tx, sql);
    if (result.empty() || result[0][0].is_null()) return std::nullopt;
    return parse_wal_lsn(result[0][0].as<std::string>());
}

// The insert position, not pg_current_wal_lsn (the write position): an asynchronous commit's record may still sit
// in the WAL buffers, ahead of the write position, and the reader must wait for it too.
std::optional<std::uint64_t> current_lsn(DbConnection& db) {
    return read_lsn(db, "SELECT pg_current_wal_insert_lsn()::text");
}
// NULL on a server that is not a standby: such a "replica" is never used.
std::optional<std::uint64_t> replayed_lsn(DbConnection& db) {
    return read_lsn(db, "SELECT pg_last_wal_replay_lsn()::text");
}

}  // namespace

std::optional<std::uint64_t> parse_wal_lsn(std::string_view text) noexcept {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    const auto* begin = text.data();
    auto [high_end, high_error] = std::from_chars(begin, begin + slash, high, 16);
    auto [low_end, low_error] = std::from_chars(begin + slash + 1, begin + text.size(), low, 16);
    if (high_error != std::errc{} || high_end != begin + slash || low_error != std::errc{} ||
        low_end != begin + text.size() || high > 0xFFFFFFFFu || low > 0xFFFFFFFFu) {
        return std::nullopt;
    }
    return (high << 32) | low;
}

std::string format_wal_lsn(std::uint64_t lsn) {
    char text[32];
    std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn & 0xFFFFFFFFu));
    return text;
}

ReadReplica::ReadReplica(DbPool& primary, DbPool& replica, ReadReplicaOptions options,
                         observability::MetricsRegistry& metrics)
    : primary_(primary),
      replica_(replica),
      options_(options),
      to_replica_(&metrics.counter("inbox_db_read_routing_total", "List reads by the server they were sent to",
                                   {{"target", "replica"}})),
      to_primary_(&metrics.counter("inbox_db_read_routing_total", "List reads by the server they were sent to",
                                   {{"target", "primary"}})) {}

ReadReplica::~ReadReplica() { stop(); }

void ReadReplica::start(boost::asio::any_io_executor executor) {
    strand_ = boost::asio::make_strand(executor);
    timer_ = std::make_shared<boost::asio::steady_timer>(*strand_);
    boost::asio::co_spawn(*strand_, probe_loop(), boost::asio::detached);
}

void ReadReplica::stop() {
    stopped_->store(true);
    // The timer belongs to the probe's strand: cancelled there, not from the caller's thread.
    if (strand_) boost::asio::post(*strand_, [timer = timer_] { timer->cancel(); });
}

boost::asio::awaitable<void> ReadReplica::probe_loop() {
    auto stopped = stopped_;
    while (!stopped->load()) {
        co_await probe_once();
        if (stopped->load()) break;
        timer_->expires_after(options_.probe_interval);
        boost::system::error_code ignored;
        co_await timer_->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
}

boost::asio::awaitable<void> ReadReplica::probe_once() {
    const auto primary_at = Clock::now();
    try {
        if (auto lsn = co_await primary_.run(current_lsn)) record_primary({primary_at, *lsn});
    } catch (const std::exception& error) {
        spdlog::debug("read replica probe: primary: {}", error.what());
    }
    const auto replica_at = Clock::now();
    std::optional<std::uint64_t> replayed;
    try {
        replayed = co_await replica_.run(replayed_lsn);
    } catch (const std::exception& error) {
        spdlog::debug("read replica probe: replica: {}", error.what());
    }
    record_replica(replayed, replica_at);
}

void ReadReplica::record_primary(PrimarySample sample) {
    std::lock_guard lock(mutex_);
    primary_samples_.push_back(sample);
    // Old enough to judge the lag bound, plus a margin for writes that are still waiting for a newer sample.
    const auto keep = sample.sampled_at - options_.max_lag - std::chrono::seconds(2);
    while (primary_samples_.size() > 1 && primary_samples_.front().sampled_at < keep) primary_samples_.pop_front();
}

void ReadReplica::record_replica(std::optional<std::uint64_t> replayed, Clock::time_point sampled_at) {
    std::lock_guard lock(mutex_);
    if (replayed_.has_value() != replayed.has_value()) {
        if (replayed) spdlog::info("read replica: streaming again, list reads go to it");
        else spdlog::warn("read replica: unreachable or not a standby, list reads go to the primary");
    }
    replayed_ = replayed;
    replica_sampled_at_ = sampled_at;
}

boost::asio::awaitable<std::optional<std::string>> ReadReplica::note_write(std::string user_id) {
    std::optional<std::uint64_t> position;
    try {
        position = co_await primary_.run(current_lsn);
    } catch (const std::exception& error) {
        spdlog::debug("read replica: write position of {} unknown: {}", user_id, error.what());
    }
    if (!position) {
        note_write_time(user_id);
        co_return std::nullopt;
    }
    {
        std::lock_guard lock(mutex_);
        auto& required = required_[user_id];
        required = std::max(required, *position);
        // Positions older than the lag bound are covered by it (the replica must have replayed past them to be used).
        if (required_.size() > 4096 && !primary_samples_.empty()) {
            const auto covered = primary_samples_.front().lsn;
            std::erase_if(required_, [covered](const auto& entry) { return entry.second < covered; });
        }
    }
    co_return format_wal_lsn(*position);
}

void ReadReplica::require(std::string_view user_id, std::string_view position) {
    const auto lsn = parse_wal_lsn(position);
    if (!lsn) return;
    std::lock_guard lock(mutex_);
    if (replayed_ && *replayed_ >= *lsn) return;  // already there: nothing to remember
    auto& required = required_[std::string(user_id)];
    required = std::max(required, *lsn);
}

void ReadReplica::note_write_time(std::string_view user_id) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    last_write_.insert_or_assign(std::string(user_id), now);
    if (last_write_.size() > 4096) {
        const auto covered = now - options_.max_lag - std::chrono::seconds(1);
        std::erase_if(last_write_, [covered](const auto& entry) { return entry.second < covered; });
    }
}

bool ReadReplica::caught_up() {
    std::lock_guard lock(mutex_);
    return replayed_ && !primary_samples_.empty() && *replayed_ >= primary_samples_.back().lsn;
}

void ReadReplica::report_failure(std::string_view reason) {
    std::lock_guard lock(mutex_);
    if (replayed_) spdlog::warn("read replica: a read failed ({}); list reads go to the primary until it answers a probe", reason);
    replayed_.reset();
}

bool ReadReplica::use_for(std::string_view user_id) {
    bool replica = false;
    {
        std::lock_guard lock(mutex_);
        replica = usable_locked(user_id, Clock::now());
    }
    (replica ? to_replica_ : to_primary_)->inc();
    return replica;
}

bool ReadReplica::usable_locked(std::string_view user_id, Clock::time_point now) {
    if (!replayed_ || now - replica_sampled_at_ > probe_validity(options_.probe_interval)) return false;
    // The lag bound: what the primary had written max_lag before the replica was sampled must be replayed. Before
    // any sample is that old, the oldest one stands in (stricter, never looser).
    if (primary_samples_.empty()) return false;
    const auto bound = replica_sampled_at_ - options_.max_lag;
    const PrimarySample* before_bound = &primary_samples_.front();
    for (const auto& sample : primary_samples_) {
        if (sample.sampled_at > bound) break;
        before_bound = &sample;
    }
    if (*replayed_ < before_bound->lsn) return false;
    // Read-your-writes, by position (this instance's writes and positions presented by the client).
    if (const auto required = required_.find(std::string(user_id)); required != required_.end()) {
        if (*replayed_ < required->second) return false;
        required_.erase(required);
    }
    // A write whose position could not be read: the primary's position sampled after it ended.
    const auto write = last_write_.find(std::string(user_id));
    if (write == last_write_.end()) return true;
    const auto after_write = std::find_if(primary_samples_.begin(), primary_samples_.end(),
                                          [&](const PrimarySample& sample) { return sample.sampled_at >= write->second; });
    if (after_write == primary_samples_.end() || *replayed_ < after_write->lsn) return false;
    last_write_.erase(write);  // the replica has it; later reads need no check
    return true;
}

}  // namespace inbox::storage
