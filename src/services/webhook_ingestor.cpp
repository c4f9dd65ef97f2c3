#include "inbox/services/webhook_ingestor.hpp"

#include "inbox/observability/metrics.hpp"
#include "inbox/util/errors.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace inbox::services {
namespace asio = boost::asio;

namespace {

struct Pending {
    std::string body;
    WebhookIngestor::Handler handler;
};

void complete(WebhookIngestor::Handler handler, std::exception_ptr error, std::int64_t id) {
    auto executor = asio::get_associated_executor(handler);
    asio::dispatch(executor, [handler = std::move(handler), error, id]() mutable { std::move(handler)(error, id); });
}

}  // namespace

struct WebhookIngestor::State : std::enable_shared_from_this<State> {
    State(asio::any_io_executor io_executor, BatchWriter batch_writer, observability::MetricsRegistry& metrics,
          WebhookIngestorOptions ingestor_options)
        : executor(std::move(io_executor)),
          writer(std::move(batch_writer)),
          options(ingestor_options),
          batch_sizes(metrics.histogram("inbox_webhook_batch_size", "Deliveries committed per group-commit batch", {},
                                        {1, 2, 4, 8, 16, 32, 64, 128, 256, 512})),
          commit_seconds(metrics.histogram("inbox_webhook_commit_seconds", "Duration of one group-commit write")),
          refused(metrics.counter("inbox_webhook_ingest_refused_total",
                                  "Deliveries refused (503) because the database was unavailable or the queue full")) {
        metrics.gauge_callback("inbox_webhook_ingest_queued", "Deliveries waiting for a group commit", {},
                               [this] { return static_cast<double>(queued()); });
    }

    std::size_t queued() const {
        std::lock_guard lock(mutex);
        return queue.size();
    }

    void enqueue(Pending pending) {
        std::unique_lock lock(mutex);
        if (queue.size() >= options.max_queued) {
            lock.unlock();
            refused.inc();
            complete(std::move(pending.handler),
                     std::make_exception_ptr(UnavailableError("webhook ingest queue is full")), 0);
            return;
        }
        queue.push_back(std::move(pending));
        if (in_flight < options.max_in_flight) start_batch(lock);
    }

    // Takes up to max_batch queued deliveries and writes them; called with the lock held.
    void start_batch(std::unique_lock<std::mutex>& lock) {
        auto take = std::min(queue.size(), options.max_batch);
        std::vector<Pending> batch(std::make_move_iterator(queue.begin()),
                                   std::make_move_iterator(queue.begin() + static_cast<std::ptrdiff_t>(take)));
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take));
        ++in_flight;
        lock.unlock();
        asio::co_spawn(executor, write(shared_from_this(), std::move(batch)), asio::detached);
        lock.lock();
    }

    static asio::awaitable<void> write(std::shared_ptr<State> self, std::vector<Pending> batch) {
        std::vector<std::string> bodies;
        bodies.reserve(batch.size());
        for (auto& pending : batch) bodies.push_back(std::move(pending.body));
        std::exception_ptr error;
        std::vector<std::int64_t> ids;
        auto started = std::chrono::steady_clock::now();
        try {
            ids = co_await self->writer(std::move(bodies));
            if (ids.size() != batch.size()) throw std::logic_error("batch insert answered a wrong number of ids");
        } catch (...) {
            error = std::current_exception();
        }
        self->commit_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        self->batch_sizes.observe(static_cast<double>(batch.size()));
        if (error) self->refused.inc(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            complete(std::move(batch[i].handler), error, error ? 0 : ids[i]);
        }
        std::unique_lock lock(self->mutex);
        --self->in_flight;
        // Whatever queued up during this write goes now: it has already waited one commit.
        if (!self->queue.empty()) self->start_batch(lock);
    }

    asio::any_io_executor executor;
    BatchWriter writer;
    WebhookIngestorOptions options;
    observability::Histogram& batch_sizes;
    observability::Histogram& commit_seconds;
    observability::Counter& refused;
    mutable std::mutex mutex;
    std::vector<Pending> queue;
    std::size_t in_flight = 0;
};

WebhookIngestor::WebhookIngestor(asio::any_io_executor executor, BatchWriter writer,
                                 observability::MetricsRegistry& metrics, WebhookIngestorOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(writer), metrics, options)) {}

WebhookIngestor::~WebhookIngestor() = default;

std::size_t WebhookIngestor::queued() const { return state_->queued(); }

// Not a coroutine: the body travels in the initiation (see docs/ARCHITECTURE.md, GCC 12).
asio::awaitable<std::int64_t> WebhookIngestor::ingest(std::string raw_body) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, std::int64_t)>(
        [state = state_](auto handler, std::string body) {
            state->enqueue(Pending{std::move(body), Handler(std::move(handler))});
        },
        asio::use_awaitable, std::move(raw_body));
}

}  // namespace inbox::services
