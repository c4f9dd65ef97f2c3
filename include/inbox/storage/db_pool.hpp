#pragma once
// A bounded pool of libpqxx connections driven from a dedicated thread pool. Coroutines co_await `run`, which
// executes the work on a pool thread with a connection and resumes the caller on its own executor.
//   - A call that waited longer than the acquire timeout, or finds the queue full, fails fast with
//     UnavailableError (→ 503) instead of queueing forever.
//   - Broken connections are dropped and re-opened on next use, so a Postgres restart heals by itself.
#include "inbox/storage/db_connection.hpp"
#include "inbox/util/errors.hpp"
#include "inbox/util/run_blocking.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <mutex>
#include <string>
#include <vector>

namespace inbox::observability {
class MetricsRegistry;
class Counter;
}  // namespace inbox::observability

namespace inbox::storage {

struct DbPoolOptions {
    std::string url;
    unsigned size = 8;
    std::chrono::milliseconds acquire_timeout{200};
    std::chrono::milliseconds statement_timeout{5000};
    std::chrono::seconds connect_timeout{3};
    std::size_t max_queued = 4096;
    // Names this pool's metrics (<prefix>_statements_total, <prefix>_pool_size, ...): one prefix per pool.
    std::string metric_prefix = "inbox_db";
};

class DbPool {
public:
    DbPool(DbPoolOptions options, observability::MetricsRegistry& metrics);
    ~DbPool();
    DbPool(const DbPool&) = delete;
    DbPool& operator=(const DbPool&) = delete;

    // Not a coroutine (see run_blocking.hpp); the queue slot travels with the work and is released when it ends.
    template <typename Fn>
    auto run(Fn fn) {
        auto enqueued = std::chrono::steady_clock::now();
        auto slot = std::make_shared<QueueSlot>(*this);
        return run_blocking(threads_, [this, enqueued, slot = std::move(slot), fn = std::move(fn)]() mutable {
            return with_connection(enqueued, fn);
        });
    }

    // For command-line tools and tests: the same work on the calling thread.
    template <typename Fn>
    auto run_sync(Fn fn) -> std::invoke_result_t<Fn&, DbConnection&> {
        return with_connection(std::chrono::steady_clock::now(), fn);
    }

    // True when a trivial query succeeds (readiness).
    boost::asio::awaitable<bool> ping();

    unsigned size() const noexcept { return options_.size; }
    std::chrono::milliseconds acquire_timeout() const noexcept { return options_.acquire_timeout; }
    std::size_t in_use() const;
    std::size_t queued() const noexcept { return queued_.load(std::memory_order_relaxed); }

private:
    // Counts the call against the queue bound for as long as it is pending.
    class QueueSlot {
    public:
        explicit QueueSlot(DbPool& pool);
        ~QueueSlot();
        QueueSlot(const QueueSlot&) = delete;
        QueueSlot& operator=(const QueueSlot&) = delete;

    private:
        DbPool& pool_;
    };

    template <typename Fn>
    auto with_connection(std::chrono::steady_clock::time_point enqueued, Fn& fn)
        -> std::invoke_result_t<Fn&, DbConnection&> {
        auto index = acquire(enqueued);
        Release release{*this, index};
        try {
            return fn(*connection_at(index));
        } catch (const pqxx::broken_connection&) {
            discard(index);
        } catch (const pqxx::sql_error& error) {
            rethrow_unless_connection_lost(error);
            discard(index);
        }
        // The statement never committed: one more try on a fresh connection (e.g. after a Postgres restart).
        try {
            return fn(*connection_at(index));
        } catch (const pqxx::broken_connection& error) {
            discard(index);
            throw UnavailableError(std::string("database connection lost: ") + error.what());
        } catch (const pqxx::sql_error& error) {
            rethrow_unless_connection_lost(error);
            discard(index);
            throw UnavailableError(std::string("database connection lost: ") + error.what());
        }
    }

    struct Release {
        DbPool& pool;
        std::size_t index;
        ~Release() { pool.release(index); }
    };

    std::size_t acquire(std::chrono::steady_clock::time_point enqueued);
    void release(std::size_t index);
    void discard(std::size_t index);
    // The connection at `index`, (re)opened when needed; throws UnavailableError when Postgres is unreachable.
    DbConnection* connection_at(std::size_t index);
    std::unique_ptr<DbConnection> open_connection();
    // Statement timeouts become UnavailableError (an overloaded database is a 503, not a bug); lost connections
    // return so the caller can reconnect; every other SQL error is rethrown as it is.
    static void rethrow_unless_connection_lost(const pqxx::sql_error& error);

    DbPoolOptions options_;
    std::string conninfo_;
    observability::Counter& statements_;
    observability::Counter& connects_;
    observability::Counter& rejected_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<DbConnection>> connections_;
    std::vector<bool> busy_;
    std::atomic<std::size_t> queued_{0};
    boost::asio::thread_pool threads_;
};

}  // namespace inbox::storage
