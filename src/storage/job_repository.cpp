#include "inbox/storage/job_repository.hpp"

#include "inbox/storage/claim_sql.hpp"
#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/pg_array.hpp"
#include "pg_fields.hpp"

#include <stdexcept>

namespace inbox::storage {
namespace {

constexpr Query kEnqueue{
    "jobs_enqueue",
    "INSERT INTO jobs (kind, account_id, payload, dedupe_key) VALUES ($1, $2::uuid, $3::jsonb, $4)"
    " ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running') DO NOTHING"};

// A running job's claim is taken as a webhook event's is (storage/claim_sql.hpp): at once from a dead claimer, from
// a live one only 10 minutes after its lease ended, from this instance when the lease ended.
constexpr Query kClaimDue{
    "jobs_claim_due",
    // The due ids in a materialized CTE, evaluated once: as an `IN (subquery)` the planner may re-run the
    // subquery (a rescan, or a recheck after a concurrent update) and claim more rows than the LIMIT, which overran
    // the runner's in-flight cap with two instances.
    "WITH due AS MATERIALIZED ("
    "    SELECT d.id FROM jobs d"
    "    WHERE d.status IN ('pending', 'running') AND d.run_at <= now()"
    "      AND " INBOX_CLAIM_TAKEABLE("d.claimed_by", "d.locked_until", "$4", "false")
    "      AND d.kind = ANY($1::text[])"
    "    ORDER BY d.run_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, locked_until = now() + make_interval(secs => $3),"
    "   claimed_by = $4, updated_at = now()"
    " FROM due WHERE j.id = due.id"
    " RETURNING j.id, j.kind, j.account_id::text, j.payload::text, j.attempts, j.max_attempts"};

constexpr Query kComplete{"jobs_complete",
                          "UPDATE jobs SET status = 'done', locked_until = NULL, claimed_by = NULL, last_error = NULL,"
                          "   updated_at = now()"
                          " WHERE id = $1"};

constexpr Query kRetryLater{
    "jobs_retry_later",
    "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,"
    "   run_at = now() + make_interval(secs => $2), locked_until = NULL, claimed_by = NULL, last_error = $3,"
    "   updated_at = now()"
    " WHERE id = $1 RETURNING status"};

constexpr Query kPostpone{
    "jobs_postpone",
    "UPDATE jobs SET status = CASE WHEN created_at < now() - interval '7 days' THEN 'failed' ELSE 'pending' END,"
    "   attempts = greatest(attempts - 1, 0), run_at = now() + make_interval(secs => $2), locked_until = NULL,"
    "   claimed_by = NULL, last_error = $3, updated_at = now()"
    " WHERE id = $1 RETURNING status"};

constexpr Query kFail{"jobs_fail",
                      "UPDATE jobs SET status = 'failed', locked_until = NULL, claimed_by = NULL, last_error = $2,"
                      "   updated_at = now()"
                      " WHERE id = $1"};

constexpr Query kDepth{"jobs_depth",
                       "SELECT count(*), coalesce(extract(epoch FROM now() - min(run_at)), 0)::double precision"
                       " FROM jobs WHERE status IN ('pending', 'running') AND run_at <= now()"
                       "   AND (claimed_by IS NULL OR locked_until < now() OR NOT claimer_alive(claimed_by))"};

}  // namespace

// None of these is a coroutine, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<bool> JobRepository::enqueue(NewJob job) {
    return lane_.run([job = std::move(job)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kEnqueue, job.kind, nullable(job.account_id), job.payload_json, nullable(job.dedupe_key))
                   .affected_rows() == 1;
    });
}

boost::asio::awaitable<std::vector<Job>> JobRepository::claim_due(std::vector<std::string> kinds, std::size_t limit,
                                                                  std::chrono::seconds lease) {
    if (!claimer_) throw std::logic_error("JobRepository: claims need a claimer");
    return lane_.run([kinds = to_pg_text_array(kinds), limit, lease, claimer = claimer_->key()](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        std::vector<Job> jobs;
        for (const auto& row : db.exec(tx, kClaimDue, kinds, static_cast<std::int64_t>(limit),
                                       static_cast<double>(lease.count()), claimer)) {
            jobs.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), optional_text(row[2]),
                            row[3].as<std::string>(), row[4].as<int>(), row[5].as<int>()});
        }
        return jobs;
    });
}

boost::asio::awaitable<bool> JobRepository::complete(std::int64_t id) {
    return lane_.run([id](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kComplete, id).affected_rows() == 1;
    });
}

boost::asio::awaitable<bool> JobRepository::retry_later(std::int64_t id, std::chrono::seconds delay,
                                                        std::string error) {
    return lane_.run([id, delay, error = std::move(error)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kRetryLater, id, static_cast<double>(delay.count()), error);
        return !result.empty() && result[0][0].as<std::string>() == "pending";
    });
}

boost::asio::awaitable<bool> JobRepository::postpone(std::int64_t id, std::chrono::seconds delay, std::string error) {
    return lane_.run([id, delay, error = std::move(error)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kPostpone, id, static_cast<double>(delay.count()), error);
        return !result.empty() && result[0][0].as<std::string>() == "pending";
    });
}

boost::asio::awaitable<bool> JobRepository::fail(std::int64_t id, std::string error) {
    return lane_.run([id, error = std::move(error)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kFail, id, error).affected_rows() == 1;
    });
}

boost::asio::awaitable<JobRepository::Depth> JobRepository::depth() {
    return lane_.run([](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kDepth);
        return Depth{result[0][0].as<std::int64_t>(), result[0][1].as<double>()};
    });
}

}  // namespace inbox::storage
