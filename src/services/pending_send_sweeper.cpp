#include "inbox/services/pending_send_sweeper.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "inbox/services/in_flight_sends.hpp"
#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::services {

namespace asio = boost::asio;

struct PendingSendSweeper::State {
    State(asio::any_io_executor executor_ref, storage::OutboundRepository& outbound_ref,
          const InFlightSends& in_flight_ref, const storage::ClaimerLiveness& claimer_ref,
          PendingSendSweeperOptions sweeper_options)
        : executor(asio::make_strand(executor_ref)),
          outbound(outbound_ref),
          in_flight(in_flight_ref),
          claimer(claimer_ref),
          options(sweeper_options),
          timer(executor) {}

    asio::any_io_executor executor;  // a strand: the timer is touched there only
    storage::OutboundRepository& outbound;
    const InFlightSends& in_flight;
    const storage::ClaimerLiveness& claimer;
    PendingSendSweeperOptions options;
    asio::steady_timer timer;
    std::atomic<bool> stopped{false};
};

namespace {

asio::awaitable<std::size_t> sweep(PendingSendSweeper::State& state) {
    storage::StalePendingRule rule{state.options.older_than, state.claimer.key(), state.in_flight.snapshot(),
                                   state.options.whoever_claims_after};
    const auto resolved = co_await state.outbound.fail_stale_pending(std::move(rule), kSendInterruptedError);
    if (resolved > 0) {
        spdlog::warn("pending sends: {} interrupted sends marked failed (retryable under their Idempotency-Key)",
                     resolved);
    }
    co_return resolved;
}

asio::awaitable<void> sweep_loop(std::shared_ptr<PendingSendSweeper::State> state) {
    while (!state->stopped) {
        try {
            co_await sweep(*state);
        } catch (const std::exception& error) {
            spdlog::warn("pending sends: sweep failed, next try in {} s: {}", state->options.interval.count(),
                         error.what());
        }
        state->timer.expires_after(state->options.interval);
        boost::system::error_code ignored;
        co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

}  // namespace

PendingSendSweeper::PendingSendSweeper(asio::any_io_executor executor, storage::OutboundRepository& outbound,
                                       const InFlightSends& in_flight, const storage::ClaimerLiveness& claimer,
                                       PendingSendSweeperOptions options)
    : state_(std::make_shared<State>(std::move(executor), outbound, in_flight, claimer, options)) {}

PendingSendSweeper::~PendingSendSweeper() { stop(); }

void PendingSendSweeper::start() { asio::co_spawn(state_->executor, sweep_loop(state_), asio::detached); }

void PendingSendSweeper::stop() {
    state_->stopped = true;
    asio::post(state_->executor, [state = state_] { state->timer.cancel(); });
}

asio::awaitable<std::size_t> PendingSendSweeper::sweep_once() { return sweep(*state_); }

}  // namespace inbox::services
