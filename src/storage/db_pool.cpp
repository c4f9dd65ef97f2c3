#include "inbox/storage/db_pool.hpp"

#include "inbox/observability/metrics.hpp"

#include <spdlog/spdlog.h>

namespace inbox::storage {
namespace {

bool is_url(const std::string& conninfo) {
    return conninfo.rfind("postgres://", 0) == 0 || conninfo.rfind("postgresql://", 0) == 0;
}

// Adds connect_timeout unless the caller chose one; works for both URL and key=value connection strings.
std::string with_connect_timeout(std::string conninfo, std::chrono::seconds timeout) {
    if (conninfo.find("connect_timeout") != std::string::npos) return conninfo;
    auto setting = "connect_timeout=" + std::to_string(timeout.count());
    if (is_url(conninfo)) return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + setting;
    return conninfo + (conninfo.empty() ? "" : " ") + setting;
}

}  // namespace

DbPool::QueueSlot::QueueSlot(DbPool& pool) : pool_(pool) {
    if (pool_.queued_.fetch_add(1, std::memory_order_relaxed) >= pool_.options_.max_queued) {
        pool_.queued_.fetch_sub(1, std::memory_order_relaxed);
        pool_.rejected_.inc();
        throw UnavailableError("database queue is full");
    }
}

DbPool::QueueSlot::~QueueSlot() { pool_.queued_.fetch_sub(1, std::memory_order_relaxed); }

DbPool::DbPool(DbPoolOptions options, observability::MetricsRegistry& metrics)
    : options_(std::move(options)),
      conninfo_(with_connect_timeout(options_.url, options_.connect_timeout)),
      statements_(metrics.counter(options_.metric_prefix + "_statements_total",
                                  "SQL statements sent to Postgres (round trips)")),
      connects_(metrics.counter(options_.metric_prefix + "_connects_total", "Postgres connections opened")),
      rejected_(metrics.counter(options_.metric_prefix + "_rejected_total",
                                "Database calls refused because the pool was saturated (answered 503)")),
      connections_(options_.size),
      busy_(options_.size, false),
      threads_(options_.size) {
    const auto& prefix = options_.metric_prefix;
    metrics.gauge_callback(prefix + "_pool_size", "Configured Postgres connections", {},
                           [this] { return static_cast<double>(size()); });
    metrics.gauge_callback(prefix + "_pool_in_use", "Postgres connections in use", {},
                           [this] { return static_cast<double>(in_use()); });
    metrics.gauge_callback(prefix + "_pool_queued", "Database calls waiting for or holding a connection", {},
                           [this] { return static_cast<double>(queued()); });
}

DbPool::~DbPool() { threads_.join(); }

std::size_t DbPool::acquire(std::chrono::steady_clock::time_point enqueued) {
    std::unique_lock lock(mutex_);
    auto deadline = enqueued + options_.acquire_timeout;
    for (;;) {
        for (std::size_t i = 0; i < busy_.size(); ++i) {
            if (!busy_[i]) {
                busy_[i] = true;
                return i;
            }
        }
        if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
            rejected_.inc();
            throw UnavailableError("timed out waiting for a database connection");
        }
    }
}

void DbPool::release(std::size_t index) {
    {
        std::lock_guard lock(mutex_);
        busy_[index] = false;
    }
    available_.notify_one();
}

void DbPool::discard(std::size_t index) {
    std::lock_guard lock(mutex_);
    connections_[index].reset();
}

std::size_t DbPool::in_use() const {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (bool busy : busy_) count += busy ? 1 : 0;
    return count;
}

DbConnection* DbPool::connection_at(std::size_t index) {
    // The slot is ours (busy), so only this thread touches connections_[index]; the lock guards the vector read.
    DbConnection* connection = nullptr;
    {
        std::lock_guard lock(mutex_);
        connection = connections_[index].get();
    }
    if (connection && connection->raw().is_open()) return connection;
    auto fresh = open_connection();
    std::lock_guard lock(mutex_);
    connections_[index] = std::move(fresh);
    return connections_[index].get();
}

std::unique_ptr<DbConnection> DbPool::open_connection() {
    try {
        auto connection = std::make_unique<pqxx::connection>(conninfo_);
        pqxx::nontransaction setup(*connection);
        // Generic plans: every statement here is an indexed OLTP lookup whose plan does not depend on its
        // parameters, yet the default plan cache re-planned some on every call (LIMIT $n makes the generic plan
        // look dear): half of Postgres' CPU on inbox reads (docs/PERFORMANCE.md).
        setup.exec("SET statement_timeout = " + std::to_string(options_.statement_timeout.count()) +
                   "; SET plan_cache_mode = force_generic_plan");
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
    throw;
}

boost::asio::awaitable<bool> DbPool::ping() {
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
