#pragma once
// Background processing of committed webhook deliveries (at-least-once, idempotent):
//   - the fast path: ids posted right after their commit are claimed in batches and each batch is stored in one
//     transaction by one worker (ids that arrive while it works form the next batch);
//   - the sweeper: every second, due events nobody holds (crash, restart, another instance died, retries) are
//     claimed with SKIP LOCKED, so several instances share the work.
// A failing event is retried with exponential back-off and finally marked failed; it never blocks the others.
#include "inbox/storage/inbound_repository.hpp"
#include "inbox/storage/webhook_event_repository.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace inbox::cache {
class Cache;
}
namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox::services {

class AccountDirectory;

struct WebhookProcessorOptions {
    // One worker storing whole batches: while it is busy the next batch forms by itself, so under load one
    // transaction carries many deliveries and the per-transaction round trips are shared. Two workers were
    // measured worse (docs/PERFORMANCE.md): with 1,000 senders their batches shared contacts, so each waited for
    // the other's commit (and Postgres found deadlocks on the contacts index), and processing fell behind at 500
    // deliveries/s where one worker keeps up. Other instances' sweepers still share the table (SKIP LOCKED).
    std::size_t workers = 1;
    std::size_t claim_batch = 64;
    std::chrono::milliseconds sweep_interval{1000};
    int max_attempts = 8;
};

class WebhookProcessor {
public:
    WebhookProcessor(boost::asio::any_io_executor executor, storage::WebhookEventRepository& events,
                     storage::InboundRepository& inbound, AccountDirectory& directory, cache::Cache& cache,
                     observability::MetricsRegistry& metrics, WebhookProcessorOptions options = {});
    ~WebhookProcessor();
    WebhookProcessor(const WebhookProcessor&) = delete;
    WebhookProcessor& operator=(const WebhookProcessor&) = delete;

    // Fast path after a commit. Never blocks; if the process dies first, the sweeper takes the event.
    void enqueue(std::int64_t event_id);
    void start_sweeper();
    void stop();
    std::size_t queue_depth() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

// Back-off before attempt n+1: 2^n seconds, at most 5 minutes.
std::chrono::seconds webhook_retry_delay(int attempts);

}  // namespace inbox::services
