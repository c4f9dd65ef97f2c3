#include "loadgen/engine.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "loadgen/connection.hpp"
#include "loadgen/mix.hpp"
#include "loadgen/request_renderer.hpp"

namespace inbox::loadgen {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Detached coroutines must not swallow exceptions: a bug surfaces from io_context::run().
void rethrow(std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
}

std::vector<unsigned> weights_of(const Scenario& scenario) {
    std::vector<unsigned> weights;
    for (const auto& request : scenario.requests) weights.push_back(request.weight);
    return weights;
}

// Everything the run shares; lives on run_engine's stack until every coroutine has finished.
class Run {
public:
    Run(const Scenario& scenario, const EngineConfig& config)
        : config_(config),
          io_(config.threads),
          schedule_(config.closed_loop ? std::nullopt : std::optional<Schedule>(config.rate)),
          mix_(weights_of(scenario)),
          renderer_(scenario, config.host_header, config.base_path, config.seed, config.run_id),
          dispatcher_(config.max_queue),
          recorder_(scenario.requests.size(), MeasureWindow{}),
          context_{dispatcher_, recorder_, net::ip::tcp::endpoint(net::ip::make_address(config.address), config.port),
                   config.timeout},
          scheduler_strand_(net::make_strand(io_)),
          drain_timer_(scheduler_strand_) {
        for (int i = 0; i < config.connections; ++i) {
            connections_.push_back(std::make_unique<Connection>(io_, context_));
        }
        active_connections_ = config.connections;
    }

    EngineResult run() {
        // Open every connection before the clock starts, so the first requests do not pay for the handshake.
        // A connection that fails here is retried (and counted) by the first request it gets.
        for (auto& connection : connections_) {
            net::co_spawn(connection->executor(), connection->connect(),
                          [](std::exception_ptr error, boost::system::error_code) { rethrow(error); });
        }
        io_.run();
        io_.restart();

        start_ = Clock::now();
        unix_start_ = std::chrono::duration_cast<Nanos>(std::chrono::system_clock::now().time_since_epoch());
        recorder_.set_window({start_ + config_.warmup, start_ + config_.warmup + config_.duration});
        for (auto& connection : connections_) {
            net::co_spawn(connection->executor(), run_connection(*connection), rethrow);
        }
        if (config_.closed_loop) {
            dispatcher_.set_on_idle([this] {
                net::post(scheduler_strand_, [this] {
                    idle_signalled_ = true;
                    idle_timer_.cancel();
                });
            });
            net::co_spawn(scheduler_strand_, feed_idle_connections(), rethrow);
        } else {
            net::co_spawn(scheduler_strand_, schedule_requests(), rethrow);
        }

        std::vector<std::jthread> extra_threads;
        for (int i = 1; i < config_.threads; ++i) extra_threads.emplace_back([this] { io_.run(); });
        io_.run();
        extra_threads.clear();  // joins
        return {recorder_.snapshot(), dispatcher_.max_queued(), scheduler_lag_};
    }

private:
    net::awaitable<void> run_connection(Connection& connection) {
        co_await connection.run();
        if (--active_connections_ == 0) {
            net::post(scheduler_strand_, [this] { drain_timer_.cancel(); });
        }
    }

    // The closed loop: whenever a connection is idle it gets the next request at once, with now as its latency
    // origin, until the window ends; the achieved rate is what the server sustains at this concurrency.
    net::awaitable<void> feed_idle_connections() {
        const TimePoint end = start_ + config_.warmup + config_.duration;
        std::uint64_t i = 0;
        while (Clock::now() < end) {
            while (dispatcher_.idle() > 0 && Clock::now() < end) {
                const TimePoint due = Clock::now();
                const std::size_t endpoint = mix_.next();
                recorder_.on_scheduled(endpoint, due);
                const auto unix_seconds =
                    std::chrono::duration_cast<std::chrono::seconds>(unix_start_ + (due - start_)).count();
                PendingRequest request{endpoint, due, renderer_.render(endpoint, i++, unix_seconds)};
                if (dispatcher_.offer(std::move(request)) == Dispatcher::Offer::dropped) {
                    recorder_.on_error(endpoint, due, ErrorKind::dropped);
                }
            }
            if (!idle_signalled_) {
                idle_timer_.expires_at(end);
                co_await idle_timer_.async_wait(kTuple);
            }
            idle_signalled_ = false;
        }
        co_await finish_scheduling();
    }

    // The open loop: request i is released at start + i/rate with that time as its latency origin, even
    // when the scheduler itself runs late; it never waits for a response.
    net::awaitable<void> schedule_requests() {
        net::steady_timer timer(scheduler_strand_);
        const std::uint64_t total = schedule_->count_before(config_.warmup + config_.duration);
        for (std::uint64_t i = 0; i < total; ++i) {
            const Nanos offset = schedule_->offset(i);
            const TimePoint due = start_ + offset;
            if (Clock::now() < due) {
                timer.expires_at(due);
                co_await timer.async_wait(kTuple);
            }
            const std::size_t endpoint = mix_.next();
            recorder_.on_scheduled(endpoint, due);
            if (recorder_.window().measures(due)) {
                scheduler_lag_.record(static_cast<std::uint64_t>(std::max(Nanos(0), Clock::now() - due).count()));
            }
            const auto unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(unix_start_ + offset).count();
            PendingRequest request{endpoint, due, renderer_.render(endpoint, i, unix_seconds)};
            if (dispatcher_.offer(std::move(request)) == Dispatcher::Offer::dropped) {
                recorder_.on_error(endpoint, due, ErrorKind::dropped);
            }
        }
        co_await finish_scheduling();
    }

    net::awaitable<void> finish_scheduling() {
        dispatcher_.close();

        // Queued and in-flight requests get `timeout` past the window; the last connection to finish
        // cancels this wait.
        if (active_connections_ > 0) {
            drain_timer_.expires_at(recorder_.window().end + config_.timeout);
            co_await drain_timer_.async_wait(kTuple);
        }
        if (active_connections_ > 0) {
            for (const PendingRequest& unsent : dispatcher_.abandon()) {
                recorder_.on_error(unsent.endpoint, unsent.scheduled, ErrorKind::unfinished);
            }
            for (auto& connection : connections_) connection->stop();
        }
    }

    const EngineConfig& config_;
    net::io_context io_;
    std::optional<Schedule> schedule_;  // open loop only
    WeightedMix mix_;
    RequestRenderer renderer_;
    Dispatcher dispatcher_;
    TimePoint start_;
    Nanos unix_start_{0};
    Recorder recorder_;
    ConnectionContext context_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::atomic<int> active_connections_{0};
    LatencyHistogram scheduler_lag_;  // touched by the scheduler coroutine only
    Connection::Executor scheduler_strand_;
    net::steady_timer drain_timer_;
    net::steady_timer idle_timer_{scheduler_strand_};  // closed loop: wakes when a connection is idle
    bool idle_signalled_ = false;                        // on the scheduler strand only
};

}  // namespace

EngineResult run_engine(const Scenario& scenario, const EngineConfig& config) {
    Run run(scenario, config);
    return run.run();
}

}  // namespace inbox::loadgen
