#pragma once
// An optional Postgres streaming replica for list reads (DATABASE_READ_URL), with read-your-writes and fall-backs
// (docs/SCALING.md "Read replica").
//
// A probe samples the primary's WAL position (pg_current_wal_insert_lsn) and the replica's replayed position
// (pg_last_wal_replay_lsn) every `probe_interval`. A read may go to the replica when:
//   - the replica answered the last probe, recently (down or not a standby → primary);
//   - it has replayed what the primary had written `max_lag` ago (lagging past the bound → primary); until the
//     first sample is `max_lag` old, what the primary had written at the first sample (the bound holds from the
//     first request after start);
//   - the caller has no write position the replica has not replayed yet (read-your-writes). A write's position is
//     the primary's insert position read after the write's request ended (it covers its commit); it is kept here
//     and also handed to the client (`X-Inbox-Read-After`), which presents it on its next requests to any
//     instance (require()), so the rule holds across `--instances N`;
//   - if the write's position could not be read, the primary's position sampled after the write ended counts.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability

namespace inbox::storage {

class DbPool;

// "16/B374D848" → its 64-bit position; nullopt for anything else.
std::optional<std::uint64_t> parse_wal_lsn(std::string_view text) noexcept;
// The position as Postgres writes it.
std::string format_wal_lsn(std::uint64_t lsn);

struct ReadReplicaOptions {
    std::chrono::milliseconds max_lag{1000};
    std::chrono::milliseconds probe_interval{100};
};

class ReadReplica {
public:
    using Clock = std::chrono::steady_clock;

    ReadReplica(DbPool& primary, DbPool& replica, ReadReplicaOptions options, observability::MetricsRegistry& metrics);
    ~ReadReplica();
    ReadReplica(const ReadReplica&) = delete;
    ReadReplica& operator=(const ReadReplica&) = delete;

    DbPool& pool() noexcept { return replica_; }

    // Probes every probe_interval until stop().
    void start(boost::asio::any_io_executor executor);
    void stop();
    // One probe of both servers (the loop's step; tests call it to move on without waiting).
    boost::asio::awaitable<void> probe_once();

    // After a request of `user_id` that may have written has ended (its transaction committed or not): reads the
    // primary's position, keeps it as the user's, and answers it as text for the client ("16/B374D848").
    boost::asio::awaitable<std::optional<std::string>> note_write(std::string user_id);
    // A request presents a write position (from any instance): the user's reads wait for the replica to pass it.
    // Anything that is not a position is ignored.
    void require(std::string_view user_id, std::string_view position);
    // Whether a read for `user_id` may go to the replica now; counts the choice.
    bool use_for(std::string_view user_id);
    // True when the replica has replayed the primary's latest sampled position (tests; a bound of zero lag).
    bool caught_up();
    // A replica read failed (`reason`, for the log): reads go to the primary until the next good probe.
    void report_failure(std::string_view reason);

    // The facts a probe found, for the rules above (and tests): positions and when they were sampled.
    struct PrimarySample {
        Clock::time_point sampled_at;  // taken before the query was sent
        std::uint64_t lsn = 0;
    };
    void record_primary(PrimarySample sample);
    void record_replica(std::optional<std::uint64_t> replayed, Clock::time_point sampled_at);

private:
    bool usable_locked(std::string_view user_id, Clock::time_point now);
    boost::asio::awaitable<void> probe_loop();

    DbPool& primary_;
    DbPool& replica_;
    ReadReplicaOptions options_;
    observability::Counter* to_replica_;
    observability::Counter* to_primary_;

    std::mutex mutex_;
    std::deque<PrimarySample> primary_samples_;  // oldest first, kept for max_lag plus a margin
    std::optional<std::uint64_t> replayed_;      // empty: down, unreachable or not a standby
    Clock::time_point replica_sampled_at_{};
    std::unordered_map<std::string, Clock::time_point> last_write_;  // writes whose position could not be read
    std::unordered_map<std::string, std::uint64_t> required_;        // write positions the user must read at

    void note_write_time(std::string_view user_id);

    std::shared_ptr<boost::asio::steady_timer> timer_;  // on strand_ only (a stop() posted there keeps it alive)
    std::optional<boost::asio::any_io_executor> strand_;
    std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace inbox::storage
