#include "inbox/storage/db_pool.hpp"

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/connection_string.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace inbox::storage {
namespace asio = boost::asio;

namespace {

std::string limits_sql(const SessionLimits& limits) {
    return "SET lock_timeout = " + std::to_string(limits.lock_timeout.count()) +
           "; SET statement_timeout = " + std::to_string(limits.statement_timeout.count());
}

std::vector<double> wait_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1};
}

}  // namespace

// A call waiting for a connection. Exactly one of two paths completes it, decided under the pool's mutex: a
// release that hands it a connection, or its deadline timer. The timer is only touched on its own executor (the
// grant path never cancels it; it just finds the waiter served when it fires).
struct DbPool::Waiter {
    Waiter(Lane& waiting_lane, AdmitHandler completion, const asio::any_io_executor& executor,
           std::chrono::steady_clock::time_point waiting_since)
        : lane(waiting_lane), handler(std::move(completion)), executor(executor), timer(executor), since(waiting_since) {}
    Lane& lane;
    AdmitHandler handler;  // moved out by whichever path completes it
    asio::any_io_executor executor;
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point since;
    bool done = false;
};

DbPool::DbPool(DbPoolOptions options, observability::MetricsRegistry& metrics)
    : options_(std::move(options)),
      conninfo_(with_connection_limits(options_.url, {.connect_timeout = options_.connect_timeout})),
      metrics_(metrics),
      statements_(metrics.counter(options_.metric_prefix + "_statements_total",
                                  "SQL statements sent to Postgres (round trips)")),
      connects_(metrics.counter(options_.metric_prefix + "_connects_total", "Postgres connections opened")),
      rejected_(metrics.counter(options_.metric_prefix + "_rejected_total",
                                "Database calls refused because no connection came free before the acquire "
                                "deadline or the wait queue was full (answered 503)")),
      retries_exhausted_(metrics.counter(options_.metric_prefix + "_transaction_retries_exhausted_total",
                                         "Transactions still aborted as deadlock victims or serialization failures "
                                         "after every retry (answered 503)")),
      limits_changes_(metrics.counter(options_.metric_prefix + "_session_limits_changes_total",
                                      "Connections switched to another work class's lock and statement timeouts")),
      connections_(options_.size),
      busy_(options_.size, false),
      limits_of_(options_.size),
      threads_(options_.size) {
    const auto& prefix = options_.metric_prefix;
    default_lane_ = &add_lane("pool", 0, WorkClass::interactive);
    metrics.gauge_callback(prefix + "_pool_size", "Configured Postgres connections", {},
                           [this] { return static_cast<double>(size()); });
    metrics.gauge_callback(prefix + "_pool_in_use", "Postgres connections in use", {},
                           [this] { return static_cast<double>(in_use()); });
    metrics.gauge_callback(prefix + "_pool_queued", "Database calls waiting for a connection", {},
                           [this] { return static_cast<double>(queued()); });
}

DbPool::~DbPool() {
    threads_.join();
    *alive_ = false;
}

DbPool::Lane& DbPool::add_lane(std::string name, std::size_t share, WorkClass work) {
    std::lock_guard lock(mutex_);
    auto& lane = lanes_.emplace_back();
    lane.name = name;
    lane.share = share == 0 ? options_.size : std::min<std::size_t>(share, options_.size);
    lane.limits = work == WorkClass::interactive ? SessionLimits{options_.lock_timeout, options_.statement_timeout}
                                                 : kBackgroundLimits;
    lane.waited = &metrics_.histogram(options_.metric_prefix + "_acquire_wait_seconds",
                                      "Time database calls waited for a connection, by lane", {{"lane", name}},
                                      wait_buckets());
    return lane;
}

asio::awaitable<std::size_t> DbPool::admit(Lane& lane) {
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, std::size_t)>(
        [this, &lane, deadline](auto handler) {
            asio::any_io_executor executor = asio::get_associated_executor(handler);
            start_admission(lane, deadline, std::move(executor), AdmitHandler(std::move(handler)));
        },
        asio::use_awaitable);
}

void DbPool::start_admission(Lane& lane, std::chrono::steady_clock::time_point deadline,
                             asio::any_io_executor executor, AdmitHandler handler) {
    const auto now = std::chrono::steady_clock::now();
    std::shared_ptr<Waiter> waiter;
    {
        std::unique_lock lock(mutex_);
        std::optional<std::size_t> free;
        // A free connection while others wait means every waiter's lane is full (a release serves the oldest
        // waiter with room), so taking it jumps no queue.
        if (lane.in_use < lane.share) {
            // A free connection already set to this lane's limits saves a round trip.
            for (std::size_t i = 0; i < busy_.size(); ++i) {
                if (busy_[i]) continue;
                if (!free || limits_of_[i] == lane.limits) free = i;
                if (limits_of_[i] == lane.limits) break;
            }
        }
        if (free) {
            busy_[*free] = true;
            ++lane.in_use;
            lock.unlock();
            lane.waited->observe(0);
            asio::post(executor, asio::append(std::move(handler), std::exception_ptr(), *free));
            return;
        }
        if (waiters_.size() >= options_.max_queued) {
            lock.unlock();
            rejected_.inc();
            auto error = std::make_exception_ptr(UnavailableError("database wait queue is full"));
            asio::post(executor, asio::append(std::move(handler), error, std::size_t{0}));
            return;
        }
        waiter = std::make_shared<Waiter>(lane, std::move(handler), executor, now);
        waiters_.push_back(waiter);
    }
    waiter->timer.expires_at(deadline);
    waiter->timer.async_wait([this, waiter](const boost::system::error_code&) {
        {
            std::lock_guard lock(mutex_);
            if (waiter->done) return;  // served by a release
            waiter->done = true;
            waiters_.remove(waiter);
        }
        rejected_.inc();
        waiter->lane.waited->observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - waiter->since).count());
        auto error = std::make_exception_ptr(
            UnavailableError("database calls of " + waiter->lane.name + " waited too long for a connection"));
        std::move(waiter->handler)(error, std::size_t{0});
    });
}

std::size_t DbPool::acquire_sync() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    for (;;) {
        for (std::size_t i = 0; i < busy_.size(); ++i) {
            if (!busy_[i]) {
                busy_[i] = true;
                return i;
            }
        }
        if (sync_available_.wait_until(lock, deadline) == std::cv_status::timeout) {
            rejected_.inc();
            throw UnavailableError("timed out waiting for a database connection");
        }
    }
}

// The connection goes straight to the oldest waiter whose lane has room, or becomes free.
void DbPool::release(std::size_t index, Lane* lane) {
    std::shared_ptr<Waiter> next;
    {
        std::lock_guard lock(mutex_);
        if (lane) --lane->in_use;
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
            if ((*it)->lane.in_use < (*it)->lane.share) {
                next = std::move(*it);
                waiters_.erase(it);
                break;
            }
        }
        if (next) {
            next->done = true;
            ++next->lane.in_use;  // busy_[index] stays true: handed over
        } else {
            busy_[index] = false;
        }
    }
    if (!next) {
        sync_available_.notify_one();
        return;
    }
    next->lane.waited->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - next->since).count());
    asio::post(next->executor, asio::append(std::move(next->handler), std::exception_ptr(), index));
}

asio::awaitable<void> DbPool::back_off(Lane& lane, std::string sqlstate, int attempt) {
    metrics_
        .counter(options_.metric_prefix + "_transaction_retries_total",
                 "Transactions run again after Postgres aborted them as a deadlock victim (40P01) or a "
                 "serialization failure (40001)",
                 {{"lane", lane.name}, {"sqlstate", sqlstate}})
        .inc();
    // Jittered, so the transactions that collided do not meet again at once.
    thread_local std::minstd_rand random(std::random_device{}());
    const auto ceiling = 5 << attempt;  // 10, 20, 40 ms
    asio::steady_timer pause(co_await asio::this_coro::executor,
                             std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ceiling)(random)));
    boost::system::error_code ignored;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

void DbPool::count_retries_exhausted() { retries_exhausted_.inc(); }

void DbPool::discard(std::size_t index) {
    std::lock_guard lock(mutex_);
    connections_[index].reset();
    limits_of_[index].reset();
}

std::size_t DbPool::in_use() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(busy_.begin(), busy_.end(), true));
}

std::size_t DbPool::queued() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

std::size_t DbPool::in_use(const Lane& lane) const {
    std::lock_guard lock(mutex_);
    return lane.in_use;
}

DbConnection& DbPool::prepared_connection(std::size_t index, const Lane& lane) {
    // The slot is ours (busy), so only this thread touches connections_[index]; the lock guards the vector read.
    DbConnection* connection = nullptr;
    {
        std::lock_guard lock(mutex_);
        connection = connections_[index].get();
    }
    if (!connection || !connection->raw().is_open()) {
        auto fresh = open_connection();
        std::lock_guard lock(mutex_);
        connections_[index] = std::move(fresh);
        limits_of_[index] = SessionLimits{options_.lock_timeout, options_.statement_timeout};  // set by open
        connection = connections_[index].get();
    }
    if (limits_of_[index] != lane.limits) {
        // Counted apart from the statements of requests: admission prefers a connection already set to the lane's
        // limits, so this round trip is paid when the mix of work classes shifts, not per call.
        pqxx::nontransaction tx(connection->raw());
        tx.exec(limits_sql(lane.limits));
        limits_changes_.inc();
        limits_of_[index] = lane.limits;
    }
    return *connection;
}

std::unique_ptr<DbConnection> DbPool::open_connection() {
    try {
        auto connection = std::make_unique<pqxx::connection>(conninfo_);
        pqxx::nontransaction setup(*connection);
        // Generic plans: every statement here is an indexed OLTP lookup whose plan does not depend on its
        // parameters, yet the default plan cache re-planned some on every call (LIMIT $n makes the generic plan
        // look dear): half of Postgres' CPU on inbox reads (docs/PERFORMANCE.md).
        setup.exec("SET plan_cache_mode = force_generic_plan; " +
                   limits_sql({options_.lock_timeout, options_.statement_timeout}));
        connects_.inc();
        return std::make_unique<DbConnection>(std::move(connection), statements_);
    } catch (const pqxx::broken_connection& error) {
        throw UnavailableError(std::string("cannot connect to Postgres: ") + error.what());
    }
}

void DbPool::rethrow_unless_connection_lost(const pqxx::sql_error& error) {
    const auto& state = error.sqlstate();
    // Class 08: connection exception; 57P01..57P03: the server is shutting down or restarting.
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") return;
    if (state == "57014") throw UnavailableError("database statement timed out");
    if (state == "55P03") throw UnavailableError("database lock wait timed out");
    if (state == "40P01" || state == "40001") throw TransientTransactionError(state, error.what());
    throw;
}

asio::awaitable<bool> DbPool::ping() {
    try {
        co_return co_await run([](DbConnection& db) {
            pqxx::nontransaction tx(db.raw());
            db.exec_plain(tx, "SELECT 1");
            return true;
        });
    } catch (const std::exception& error) {
        spdlog::debug("database ping failed: {}", error.what());
        co_return false;
    }
}

}  // namespace inbox::storage
