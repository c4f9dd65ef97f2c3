#include "inbox/storage/retention_repository.hpp"

#include <pqxx/pqxx>

#include "inbox/storage/query.hpp"

namespace inbox::storage {
namespace {

// $1: retention in seconds, $2: batch size. Each served by its partial index (migrations 0012, 0013).
constexpr Query kPruneFinishedEvents{
    "retention_prune_finished_events",
    "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events"
    " WHERE status IN ('processed', 'ignored') AND received_at < now() - make_interval(secs => $1)"
    " ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)"};
constexpr Query kPruneFailedEvents{
    "retention_prune_failed_events",
    "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events"
    " WHERE status = 'failed' AND received_at < now() - make_interval(secs => $1)"
    " ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)"};
constexpr Query kPruneParkedStatuses{
    "retention_prune_parked_statuses",
    "DELETE FROM parked_statuses WHERE id IN (SELECT id FROM parked_statuses"
    " WHERE received_at < now() - make_interval(secs => $1)"
    " ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)"};
constexpr Query kPruneFinishedJobs{
    "retention_prune_finished_jobs",
    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs"
    " WHERE status IN ('done', 'failed') AND updated_at < now() - make_interval(secs => $1)"
    " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)"};

constexpr Query kPruneUnusedUploads{
    "retention_prune_unused_uploads",
    "DELETE FROM uploads WHERE id IN (SELECT id FROM uploads"
    " WHERE used_at IS NULL AND created_at < now() - make_interval(secs => $1)"
    " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"};

const Query& query_for(RetainedRows rows) {
    switch (rows) {
        case RetainedRows::finished_webhook_events: return kPruneFinishedEvents;
        case RetainedRows::failed_webhook_events: return kPruneFailedEvents;
        case RetainedRows::parked_statuses: return kPruneParkedStatuses;
        case RetainedRows::unused_uploads: return kPruneUnusedUploads;
        case RetainedRows::finished_jobs: break;
    }
    return kPruneFinishedJobs;
}

}  // namespace

std::string_view table_of(RetainedRows rows) noexcept {
    switch (rows) {
        case RetainedRows::finished_webhook_events:
        case RetainedRows::failed_webhook_events: return "webhook_events";
        case RetainedRows::parked_statuses: return "parked_statuses";
        case RetainedRows::unused_uploads: return "uploads";
        case RetainedRows::finished_jobs: break;
    }
    return "jobs";
}

boost::asio::awaitable<std::size_t> RetentionRepository::prune(RetainedRows rows, std::chrono::seconds keep,
                                                               std::size_t batch) {
    return lane_.run([&query = query_for(rows), keep, batch](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, query, static_cast<double>(keep.count()), static_cast<std::int64_t>(batch));
        return static_cast<std::size_t>(result.affected_rows());
    });
}

}  // namespace inbox::storage
