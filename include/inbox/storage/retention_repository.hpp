#pragma once
// Deletes finished rows past their retention, one small batch per call (services::Retention decides how often):
// a batch locks only the rows it deletes (SKIP LOCKED), so ingestion and claims never wait for it.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string_view>

#include "inbox/storage/db_lane.hpp"

namespace inbox::storage {

enum class RetainedRows {
    finished_webhook_events,  // processed or ignored deliveries
    failed_webhook_events,    // kept longer: someone may want to look at them
    parked_statuses,          // statuses whose message never arrived
    finished_jobs,            // done or failed media downloads and scans
    unused_uploads,           // uploads no message used (their bytes stay in the content-addressed store)
};

// The metric label of each kind (its table).
std::string_view table_of(RetainedRows rows) noexcept;

class RetentionRepository {
public:
    explicit RetentionRepository(DbPool& pool) : lane_(pool, "retention", WorkClass::background) {}

    // Deletes at most `batch` rows of that kind older than `keep`; answers how many it deleted.
    boost::asio::awaitable<std::size_t> prune(RetainedRows rows, std::chrono::seconds keep, std::size_t batch);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
