#include "inbox/storage/claimer_liveness.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <random>

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/connection_string.hpp"

namespace inbox::storage {
namespace {

using namespace std::chrono_literals;

// How often the connection is checked: a lost one (and with it the lock) is noticed within this.
constexpr auto kCheckEvery = 1s;

std::int32_t draw_key() {
    std::random_device random;
    std::uniform_int_distribution<std::int32_t> keys(1, std::numeric_limits<std::int32_t>::max());
    return keys(random);
}

}  // namespace

ClaimerLiveness::ClaimerLiveness(std::string database_url, observability::MetricsRegistry& metrics)
    : database_url_(with_connection_limits(std::move(database_url))), key_(draw_key()) {
    metrics.gauge_callback("inbox_claimer_liveness_held",
                           "1 while this instance's liveness lock is held, so its claims are seen as alive", {},
                           [held = held_] { return *held ? 1.0 : 0.0; });
}

ClaimerLiveness::~ClaimerLiveness() { stop(); }

void ClaimerLiveness::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ClaimerLiveness::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    *held_ = false;
}

bool ClaimerLiveness::pause(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, duration, [this] { return stopping_.load(); });
    return !stopping_;
}

void ClaimerLiveness::run() {
    auto backoff = 100ms;
    while (!stopping_) {
        try {
            pqxx::connection connection(database_url_);
            pqxx::nontransaction tx(connection);
            // A partitioned client's session (and lock) must not outlive it by long: probe it from the server side.
            tx.exec("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3");
            while (!tx.exec_params1("SELECT pg_try_advisory_lock($1, $2)", kClaimerLockNamespace, key_.load())
                        .front()
                        .as<bool>()) {
                // Taken by another instance (keys are drawn at random): draw again. Claims made under the old key
                // are then seen as dead and may be redone elsewhere, which processing tolerates (it is idempotent).
                key_ = draw_key();
            }
            *held_ = true;
            backoff = 100ms;
            spdlog::debug("claimer liveness: holding key {}", key_.load());
            while (pause(kCheckEvery)) tx.exec("SELECT 1");
            // Stopping: released before the connection closes, so others see it at once (a closed session's locks
            // go a moment later, when its backend has exited).
            *held_ = false;
            tx.exec("SELECT pg_advisory_unlock_all()");
            return;
        } catch (const std::exception& error) {
            *held_ = false;
            if (stopping_) break;
            spdlog::warn("claimer liveness: connection lost, retrying in {} ms: {}", backoff.count(), error.what());
            if (!pause(backoff)) break;
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }
    *held_ = false;
}

}  // namespace inbox::storage
