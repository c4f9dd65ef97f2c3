#include "inbox/jobs/job_runner.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "inbox/observability/metrics.hpp"
#include "inbox/util/errors.hpp"

namespace inbox::jobs {

namespace asio = boost::asio;

// A job that met our own database unavailable is due again after this, without spending an attempt.
constexpr std::chrono::seconds kUnavailablePause{5};

std::chrono::seconds backoff_after(int attempts) noexcept {
    if (attempts <= 0) return std::chrono::seconds(1);
    if (attempts >= 9) return std::chrono::seconds(300);
    return std::chrono::seconds(std::min(300, 1 << attempts));
}

struct JobRunner::State {
    State(asio::any_io_executor io, storage::JobRepository& job_rows, observability::MetricsRegistry& registry,
          JobRunnerOptions runner_options)
        : strand(asio::make_strand(io)), jobs(job_rows), metrics(registry), options(runner_options), timer(strand) {}

    asio::strand<asio::any_io_executor> strand;  // the loop, the timer and in_flight live here
    storage::JobRepository& jobs;
    observability::MetricsRegistry& metrics;
    JobRunnerOptions options;
    asio::steady_timer timer;
    std::map<std::string, JobHandler> handlers;
    std::vector<std::string> kinds;
    std::size_t in_flight = 0;
    bool woken = false;
    std::atomic<bool> stopped{false};
    // /metrics: due jobs and the age of the oldest, refreshed by the loop at most every kDepthEvery.
    std::chrono::steady_clock::time_point depth_read{};
    std::atomic<std::int64_t> due{0};
    std::atomic<double> oldest_due_seconds{0};
    std::atomic<std::size_t> running{0};

    observability::Counter& outcome_counter(const std::string& kind, const char* outcome) {
        return metrics.counter("inbox_jobs_total", "Background jobs run, by kind and outcome",
                               {{"kind", kind}, {"outcome", outcome}});
    }
};

namespace {

using State = JobRunner::State;
constexpr auto kDepthEvery = std::chrono::seconds(5);

asio::awaitable<void> refresh_depth(State& state) {
    if (std::chrono::steady_clock::now() - state.depth_read < kDepthEvery) co_return;
    state.depth_read = std::chrono::steady_clock::now();
    try {
        const auto depth = co_await state.jobs.depth();
        state.due = depth.due;
        state.oldest_due_seconds = depth.oldest_due_seconds;
    } catch (const std::exception& error) {
        spdlog::debug("jobs: reading the queue depth failed: {}", error.what());
    }
}

const char* name_of(JobOutcome::Kind kind) {
    switch (kind) {
        case JobOutcome::Kind::done:
            return "done";
        case JobOutcome::Kind::retry:
            return "retry";
        case JobOutcome::Kind::postponed:
            return "postponed";
        case JobOutcome::Kind::failed:
            return "failed";
    }
    return "unknown";
}

// By value and without a switch around the co_awaits: GCC 12 miscompiles references into the caller's frame and
// co_await inside switch cases here (UBSan: misaligned JobOutcome).
asio::awaitable<void> record(State& state, std::int64_t id, std::string kind, JobOutcome outcome) {
    if (outcome.kind == JobOutcome::Kind::done) {
        co_await state.jobs.complete(id);
    } else if (outcome.kind == JobOutcome::Kind::retry) {
        const bool due_again = co_await state.jobs.retry_later(id, outcome.delay, outcome.error);
        if (!due_again) spdlog::warn("job {} ({}): attempts used up: {}", id, kind, outcome.error);
    } else if (outcome.kind == JobOutcome::Kind::postponed) {
        const bool due_again = co_await state.jobs.postpone(id, outcome.delay, outcome.error);
        if (!due_again) spdlog::warn("job {} ({}): postponed for a week, given up: {}", id, kind, outcome.error);
    } else {
        co_await state.jobs.fail(id, outcome.error);
        spdlog::warn("job {} ({}) failed: {}", id, kind, outcome.error);
    }
}

void wake_on_strand(State& state) {
    state.woken = true;
    state.timer.cancel();
}

asio::awaitable<void> run_one(std::shared_ptr<State> state, storage::Job job) {
    JobOutcome outcome;
    try {
        auto work = state->handlers.at(job.kind)(job);
        outcome = co_await std::move(work);
    } catch (const UnavailableError& error) {
        // Our own database was busy or away (a lane or pool wait timed out, Postgres restarting): not the job's
        // fault, so no attempt is spent on it.
        outcome = JobOutcome::postpone_for(kUnavailablePause, error.what());
    } catch (const std::exception& error) {
        outcome = JobOutcome::retry_in(backoff_after(job.attempts), error.what());
    }
    try {
        co_await record(*state, job.id, job.kind, outcome);
    } catch (const std::exception& error) {
        // The lease ends and the job is due again: nothing is lost, it may run once more.
        spdlog::warn("job {} ({}): recording its outcome failed: {}", job.id, job.kind, error.what());
    }
    state->outcome_counter(job.kind, name_of(outcome.kind)).inc();
    co_await asio::post(state->strand, asio::use_awaitable);  // back on the strand for in_flight
    --state->in_flight;
    state->running = state->in_flight;
    wake_on_strand(*state);
}

asio::awaitable<void> loop(std::shared_ptr<State> state) {
    while (!state->stopped) {
        state->woken = false;
        // Never negative, whatever a claim returned: an unsigned wrap-around would ask for a huge (negative) LIMIT.
        const std::size_t free =
            state->in_flight >= state->options.max_in_flight ? 0 : state->options.max_in_flight - state->in_flight;
        std::vector<storage::Job> claimed;
        if (free > 0) {
            try {
                claimed = co_await state->jobs.claim_due(state->kinds, free, state->options.lease);
            } catch (const std::exception& error) {
                spdlog::warn("jobs: claiming failed: {}", error.what());
            }
            co_await asio::post(state->strand, asio::use_awaitable);
        }
        if (claimed.size() > free) {
            spdlog::warn("jobs: a claim returned {} jobs for {} free places; running them all", claimed.size(), free);
        }
        for (auto& job : claimed) {
            ++state->in_flight;
            asio::co_spawn(state->strand, run_one(state, std::move(job)), asio::detached);
        }
        state->running = state->in_flight;
        co_await refresh_depth(*state);
        co_await asio::post(state->strand, asio::use_awaitable);
        if (state->stopped) break;
        if (!claimed.empty() && claimed.size() == free) continue;  // maybe more are due
        if (state->woken) continue;  // woken while claiming
        state->timer.expires_after(state->options.poll_interval);
        boost::system::error_code ignored;
        co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

}  // namespace

JobRunner::JobRunner(asio::any_io_executor executor, storage::JobRepository& jobs,
                     observability::MetricsRegistry& metrics, JobRunnerOptions options)
    : state_(std::make_shared<State>(std::move(executor), jobs, metrics, options)) {
    // The callbacks read atomics only; the registry may call them from any thread, also after a stop().
    std::weak_ptr<State> weak = state_;
    metrics.gauge_callback("inbox_jobs_due", "Background jobs due and not claimed (all instances)", {}, [weak] {
        auto state = weak.lock();
        return state ? static_cast<double>(state->due.load()) : 0.0;
    });
    metrics.gauge_callback("inbox_jobs_oldest_due_seconds", "How long the oldest unclaimed due job has waited", {},
                           [weak] {
                               auto state = weak.lock();
                               return state ? state->oldest_due_seconds.load() : 0.0;
                           });
    metrics.gauge_callback("inbox_jobs_running", "Background jobs running in this instance", {}, [weak] {
        auto state = weak.lock();
        return state ? static_cast<double>(state->running.load()) : 0.0;
    });
}

JobRunner::~JobRunner() { stop(); }

void JobRunner::handle(std::string kind, JobHandler handler) {
    state_->kinds.push_back(kind);
    state_->handlers.emplace(std::move(kind), std::move(handler));
}

void JobRunner::start() { asio::co_spawn(state_->strand, loop(state_), asio::detached); }

void JobRunner::stop() {
    state_->stopped = true;
    wake();
}

void JobRunner::wake() {
    asio::post(state_->strand, [state = state_] { wake_on_strand(*state); });
}

}  // namespace inbox::jobs
