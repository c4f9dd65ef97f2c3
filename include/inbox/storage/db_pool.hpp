#pragma once
// A bounded pool of libpqxx connections, each driven by its own thread, with ONE admission in front of them.
//   - A call is admitted when a connection is free and its lane (DbLane: one family of calls) holds fewer than
//     its share. Waiting for that suspends the coroutine (FIFO, skipping waiters whose lane is full); it never
//     holds a thread. Past the acquire deadline (DB_ACQUIRE_TIMEOUT_MS) the call fails with UnavailableError (→
//     503). That deadline is the only one: once admitted, the work has a connection and a thread at once.
//   - The time waited is in `<prefix>_acquire_wait_seconds{lane}`; refusals in `<prefix>_rejected_total`.
//   - Each lane's work class sets `lock_timeout` and `statement_timeout` for its statements, so a transaction stuck
//     behind a lock gives its connection back instead of starving its lane.
//   - A transaction that Postgres aborted as a deadlock victim or a serialization failure (40P01, 40001) is run
//     again, up to kTransientAttempts times (counted in `<prefix>_transaction_retries_total{lane,sqlstate}`).
//   - Broken connections are dropped and re-opened on next use, so a Postgres restart heals by itself.
#include "inbox/storage/db_connection.hpp"
#include "inbox/util/errors.hpp"
#include "inbox/util/run_blocking.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace inbox::observability {
class MetricsRegistry;
class Counter;
class Histogram;
}  // namespace inbox::observability

namespace inbox::storage {

// What a call may wait for and how long its statements may run (SET lock_timeout / statement_timeout).
struct SessionLimits {
    std::chrono::milliseconds lock_timeout{1'000};
    std::chrono::milliseconds statement_timeout{5'000};
    bool operator==(const SessionLimits&) const = default;
};

// Requests wait for their answer: short limits. Background work (webhook processing, jobs, maintenance) may wait
// longer for a lock, but still gives up well before a lock held by a stuck client could hold it forever.
enum class WorkClass { interactive, background };

struct DbPoolOptions {
    std::string url;
    unsigned size = 8;
    std::chrono::milliseconds acquire_timeout{200};
    std::chrono::milliseconds statement_timeout{5000};  // interactive work; background gets kBackgroundLimits
    std::chrono::milliseconds lock_timeout{1000};       // interactive work
    std::chrono::seconds connect_timeout{3};
    std::size_t max_queued = 4096;  // waiting calls; one more is refused at once
    // Names this pool's metrics (<prefix>_statements_total, <prefix>_pool_size, ...): one prefix per pool.
    std::string metric_prefix = "inbox_db";
};

inline constexpr SessionLimits kBackgroundLimits{std::chrono::seconds(10), std::chrono::seconds(30)};
// Runs of one transaction that Postgres aborted as a deadlock victim or a serialization failure.
inline constexpr int kTransientAttempts = 4;

// Thrown by the pool's thread when Postgres aborted the transaction in a way that a new run can succeed.
class TransientTransactionError : public std::runtime_error {
public:
    TransientTransactionError(std::string sqlstate, const std::string& what)
        : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    std::string sqlstate_;
};

class DbPool {
public:
    // One family of calls (see DbLane): its share of the connections and its limits. Owned by the pool.
    struct Lane {
        std::string name;
        std::size_t share = 0;
        SessionLimits limits;
        std::size_t in_use = 0;  // under the pool's mutex
        observability::Histogram* waited = nullptr;
    };

    DbPool(DbPoolOptions options, observability::MetricsRegistry& metrics);
    ~DbPool();
    DbPool(const DbPool&) = delete;
    DbPool& operator=(const DbPool&) = delete;

    // A lane holding at most `share` connections (0: all of them) with the limits of `work`.
    Lane& add_lane(std::string name, std::size_t share, WorkClass work);

    // fn(DbConnection&) on a pool thread, in `lane`; resumes the caller on its own executor. Not a coroutine
    // (GCC 12, docs/ARCHITECTURE.md): the work travels in a shared pointer, so a transient abort can run it again.
    template <typename Fn>
    auto run_in(Lane& lane, Fn fn) {
        using Result = std::invoke_result_t<Fn&, DbConnection&>;
        auto work = std::make_shared<Fn>(std::move(fn));
        // Type-erased, so the coroutine frame below holds no type of the caller's (which may be file-local).
        Attempt<Result> attempt = [this, &lane, work](std::size_t index) { return on_thread(index, lane, work); };
        return admitted<Result>(lane, std::move(attempt));
    }
    // In the pool's own lane (no share below the pool's size, interactive limits).
    template <typename Fn>
    auto run(Fn fn) {
        return run_in(*default_lane_, std::move(fn));
    }

    // For command-line tools and tests: the same work on the calling thread.
    template <typename Fn>
    auto run_sync(Fn fn) -> std::invoke_result_t<Fn&, DbConnection&> {
        auto index = acquire_sync();
        Release release{*this, index};
        return with_connection(index, *default_lane_, fn);
    }

    // True when a trivial query succeeds (readiness).
    boost::asio::awaitable<bool> ping();

    unsigned size() const noexcept { return options_.size; }
    std::chrono::milliseconds acquire_timeout() const noexcept { return options_.acquire_timeout; }
    std::size_t in_use() const;
    std::size_t queued() const;
    std::size_t in_use(const Lane& lane) const;

private:
    struct Waiter;
    using AdmitHandler = boost::asio::any_completion_handler<void(std::exception_ptr, std::size_t)>;

    struct Release {
        DbPool& pool;
        std::size_t index;
        Lane* lane = nullptr;
        // A suspended call's frame may be destroyed with the I/O loop after the pool (at exit): nothing to give back.
        std::shared_ptr<const bool> alive = pool.alive_;
        ~Release() {
            if (*alive) pool.release(index, lane);
        }
    };

    // One run of the work on connection `index`: what run_blocking completes with (void travels as Nothing).
    template <typename Result>
    using Attempt = std::function<boost::asio::awaitable<detail::BlockingResult<std::function<Result()>>>(std::size_t)>;

    template <typename Result>
    boost::asio::awaitable<Result> admitted(Lane& lane, Attempt<Result> attempt_on) {
        for (int attempt = 1;; ++attempt) {
            const auto index = co_await admit(lane);
            std::string transient;
            {
                Release release{*this, index, &lane};
                try {
                    if constexpr (std::is_void_v<Result>) {
                        co_await attempt_on(index);
                        co_return;
                    } else {
                        co_return co_await attempt_on(index);
                    }
                } catch (const TransientTransactionError& error) {
                    if (attempt >= kTransientAttempts) {
                        count_retries_exhausted();
                        throw UnavailableError(std::string("database transaction aborted again: ") + error.what());
                    }
                    transient = error.sqlstate();
                }
            }
            co_await back_off(lane, transient, attempt);
        }
    }

    // Plain functions: the awaitables of admitted()'s steps, built outside the coroutine (GCC 12).
    boost::asio::awaitable<std::size_t> admit(Lane& lane);
    template <typename Fn>
    auto on_thread(std::size_t index, Lane& lane, std::shared_ptr<Fn> work) {
        return run_blocking(threads_, [this, index, &lane, work = std::move(work)] {
            return with_connection(index, lane, *work);
        });
    }
    boost::asio::awaitable<void> back_off(Lane& lane, std::string sqlstate, int attempt);

    template <typename Fn>
    auto with_connection(std::size_t index, const Lane& lane, Fn& fn) -> std::invoke_result_t<Fn&, DbConnection&> {
        try {
            return fn(prepared_connection(index, lane));
        } catch (const pqxx::broken_connection&) {
            discard(index);
        } catch (const pqxx::sql_error& error) {
            rethrow_unless_connection_lost(error);
            discard(index);
        }
        // The statement never committed: one more try on a fresh connection (e.g. after a Postgres restart).
        try {
            return fn(prepared_connection(index, lane));
        } catch (const pqxx::broken_connection& error) {
            discard(index);
            throw UnavailableError(std::string("database connection lost: ") + error.what());
        } catch (const pqxx::sql_error& error) {
            rethrow_unless_connection_lost(error);
            discard(index);
            throw UnavailableError(std::string("database connection lost: ") + error.what());
        }
    }

    void start_admission(Lane& lane, std::chrono::steady_clock::time_point deadline,
                         boost::asio::any_io_executor executor, AdmitHandler handler);
    std::size_t acquire_sync();
    void release(std::size_t index, Lane* lane);
    void discard(std::size_t index);
    void count_retries_exhausted();
    // The connection at `index`, (re)opened when needed and set to the lane's limits; throws UnavailableError
    // when Postgres is unreachable.
    DbConnection& prepared_connection(std::size_t index, const Lane& lane);
    std::unique_ptr<DbConnection> open_connection();
    // Lost connections return so the caller can reconnect; timeouts become UnavailableError (an overloaded or
    // locked database is a 503, not a bug); deadlocks and serialization failures TransientTransactionError; every
    // other SQL error is rethrown as it is.
    static void rethrow_unless_connection_lost(const pqxx::sql_error& error);

    DbPoolOptions options_;
    std::string conninfo_;
    observability::MetricsRegistry& metrics_;
    observability::Counter& statements_;
    observability::Counter& connects_;
    observability::Counter& rejected_;
    observability::Counter& retries_exhausted_;
    observability::Counter& limits_changes_;
    mutable std::mutex mutex_;
    std::condition_variable sync_available_;
    std::vector<std::unique_ptr<DbConnection>> connections_;
    std::vector<bool> busy_;
    // Per connection: the limits it was last set to (written by the thread holding it, read under mutex_ when free).
    std::vector<std::optional<SessionLimits>> limits_of_;
    std::list<std::shared_ptr<Waiter>> waiters_;  // oldest first
    std::list<Lane> lanes_;                       // stable addresses
    Lane* default_lane_ = nullptr;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool threads_;
};

}  // namespace inbox::storage
