#pragma once
// Runs the durable jobs (storage::JobRepository) of this instance: claims due jobs of the kinds it has handlers
// for, at most `max_in_flight` at a time, runs each handler, and records its outcome (done, due again after a
// delay, or failed). Every instance runs one; SKIP LOCKED and claims tied to the claimer's liveness share the table
// between them (a dead instance's jobs are taken over at once, storage/claim_sql.hpp). It polls
// every `poll_interval` and claims at once when woken (a job queued here, or a NOTIFY from another instance).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "inbox/storage/job_repository.hpp"

namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox::jobs {

struct JobOutcome {
    // postponed: the job could not run for a reason outside it (its upstream is down, its breaker open): due again
    // after `delay` without spending an attempt, until the job is a week old (media ids live 7 days).
    enum class Kind { done, retry, postponed, failed };
    Kind kind = Kind::done;
    std::chrono::seconds delay{0};  // retry, postponed: when the job is due again
    std::string error;              // retry, postponed, failed: kept on the job row

    static JobOutcome finished() { return {}; }
    static JobOutcome retry_in(std::chrono::seconds delay, std::string error) {
        return {Kind::retry, delay, std::move(error)};
    }
    static JobOutcome postpone_for(std::chrono::seconds delay, std::string error) {
        return {Kind::postponed, delay, std::move(error)};
    }
    static JobOutcome give_up(std::string error) { return {Kind::failed, {}, std::move(error)}; }
};

// 2^attempts seconds, at most 5 minutes: the back-off between a job's attempts.
std::chrono::seconds backoff_after(int attempts) noexcept;

using JobHandler = std::function<boost::asio::awaitable<JobOutcome>(storage::Job)>;

struct JobRunnerOptions {
    std::size_t max_in_flight = 64;  // downloads wait on Meta, not on CPU: 20 first fetches/s of 0.5 s keep 10 busy
    std::chrono::milliseconds poll_interval{1'000};
    std::chrono::seconds lease{300};  // longer than a 100 MB download: after it this instance may run the job again
};

class JobRunner {
public:
    JobRunner(boost::asio::any_io_executor executor, storage::JobRepository& jobs, observability::MetricsRegistry& metrics,
              JobRunnerOptions options = {});
    ~JobRunner();

    // Before start(): the handler of one kind.
    void handle(std::string kind, JobHandler handler);
    void start();
    void stop();
    // Claim now rather than at the next poll. Thread-safe, cheap, may be called often.
    void wake();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::jobs
