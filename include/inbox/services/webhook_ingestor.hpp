#pragma once
// Group commit for webhook deliveries. Each caller awaits the durable commit of its own delivery, but concurrent
// deliveries share one multi-row INSERT and one fsync: while a batch is being written, new deliveries queue up
// and the next batch takes them all (up to max_batch). Under light load a delivery is written at once, with no
// added waiting; under heavy load batches grow by themselves, so throughput is not one fsync per request.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace inbox::observability {
class MetricsRegistry;
class Histogram;
class Counter;
}  // namespace inbox::observability

namespace inbox::services {

struct WebhookIngestorOptions {
    std::size_t max_batch = 256;
    std::size_t max_in_flight = 2;  // concurrent batch writes (each holds one database connection)
    std::size_t max_queued = 20'000;  // beyond this, deliveries are refused with 503 (Meta retries)
};

class WebhookIngestor {
public:
    // Writes one batch durably and answers the ids in order; throws UnavailableError when the database is down.
    using BatchWriter = std::function<boost::asio::awaitable<std::vector<std::int64_t>>(std::vector<std::string>)>;
    using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, std::int64_t)>;

    WebhookIngestor(boost::asio::any_io_executor executor, BatchWriter writer, observability::MetricsRegistry& metrics,
                    WebhookIngestorOptions options = {});
    ~WebhookIngestor();
    WebhookIngestor(const WebhookIngestor&) = delete;
    WebhookIngestor& operator=(const WebhookIngestor&) = delete;

    // Completes once the delivery is committed, with its webhook_events id.
    boost::asio::awaitable<std::int64_t> ingest(std::string raw_body);

    std::size_t queued() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::services
