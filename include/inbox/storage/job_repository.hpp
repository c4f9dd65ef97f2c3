#pragma once
// Durable background work (media downloads, check-media scans), shared by every instance: a job is queued once per
// (kind, dedupe key) while it is live, claimed with SKIP LOCKED under the claimer's liveness key (a dead claimer's
// job is due again at once; a lease covers a live claimer that hangs), retried with back-off and ended done or
// failed.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inbox::storage {

class ClaimerLiveness;
class DbPool;

struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::optional<std::string> account_id;
    std::string payload_json;  // the job's parameters, a JSON object
    int attempts = 0;          // including the current one
    int max_attempts = 0;
};

struct NewJob {
    std::string kind;
    std::optional<std::string> account_id;
    std::string payload_json = "{}";
    std::optional<std::string> dedupe_key;
};

class JobRepository {
public:
    // `claimer`: whose claims claim_due() makes; a repository that only queues jobs needs none.
    explicit JobRepository(DbPool& pool, const ClaimerLiveness* claimer = nullptr)
        : lane_(pool, "jobs"), claimer_(claimer) {}

    // Queues the job unless a live one (pending or running) has the same kind and dedupe key.
    boost::asio::awaitable<bool> enqueue(NewJob job);

    // Up to `limit` due jobs of `kinds`, oldest first, claimed under the claimer's key and leased for `lease` (its
    // attempts counted).
    boost::asio::awaitable<std::vector<Job>> claim_due(std::vector<std::string> kinds, std::size_t limit,
                                                       std::chrono::seconds lease);

    boost::asio::awaitable<bool> complete(std::int64_t id);
    // Due again after `delay`, unless its attempts are used up: then it fails. Answers false when it failed.
    boost::asio::awaitable<bool> retry_later(std::int64_t id, std::chrono::seconds delay, std::string error);
    // Due again after `delay` without spending the attempt just made (its upstream was down), unless the job is
    // a week old: then it fails. Answers false when it failed.
    boost::asio::awaitable<bool> postpone(std::int64_t id, std::chrono::seconds delay, std::string error);
    boost::asio::awaitable<bool> fail(std::int64_t id, std::string error);

    // Queue depth and the age of the oldest due job (metrics).
    struct Depth {
        std::int64_t due = 0;
        double oldest_due_seconds = 0;
    };
    boost::asio::awaitable<Depth> depth();

private:
    DbLane lane_;
    const ClaimerLiveness* claimer_;
};

}  // namespace inbox::storage
