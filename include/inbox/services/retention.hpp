#pragma once
// Keeps the tables and MEDIA_DIR/tmp from growing for ever (issue #25): every `interval`, finished rows past their
// retention are deleted in small batches with a pause between them, on a background database lane of their own,
// so ingestion and requests never wait for it. Every instance runs it; SKIP LOCKED keeps them out of each other's
// way. Counted in inbox_retention_pruned_total{table}. Defaults: docs/RELIABILITY.md "Retention".
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace inbox::storage {
class RetentionRepository;
}
namespace inbox::media {
class MediaStore;
}
namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox {
class FileThreads;
}

namespace inbox::services {

struct RetentionOptions {
    std::chrono::seconds finished_webhook_events{std::chrono::hours(24 * 7)};
    std::chrono::seconds failed_webhook_events{std::chrono::hours(24 * 30)};
    std::chrono::seconds parked_statuses{std::chrono::hours(24 * 30)};
    std::chrono::seconds finished_jobs{std::chrono::hours(24 * 7)};
    std::chrono::seconds unused_uploads{std::chrono::hours(24)};  // API.md: unused uploads live 24 h
    std::chrono::seconds temp_files{std::chrono::hours(24)};
    std::size_t batch = 500;
    std::size_t max_batches_per_pass = 40;  // per kind: a large backlog is worked off over several passes
    std::chrono::milliseconds pause_between_batches{100};
    std::chrono::seconds interval{std::chrono::minutes(10)};
    std::chrono::seconds first_pass_after{std::chrono::minutes(1)};  // not in the rush of a start
};

class Retention {
public:
    // `store` and `file_threads` may be null (no media store: only rows are pruned; no threads: files inline).
    Retention(boost::asio::any_io_executor executor, storage::RetentionRepository& rows, const media::MediaStore* store,
              FileThreads* file_threads, observability::MetricsRegistry& metrics, RetentionOptions options = {});
    ~Retention();
    Retention(const Retention&) = delete;
    Retention& operator=(const Retention&) = delete;

    void start();
    void stop();
    // One pass over every kind; answers how many rows and files it removed (tests).
    boost::asio::awaitable<std::size_t> prune_once();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::services
