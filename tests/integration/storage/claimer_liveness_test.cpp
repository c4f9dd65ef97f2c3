// Claims tied to the claimer's liveness (migration 0005, storage/claim_sql.hpp): a dead instance's claims are taken
// over at once, a live one keeps its claims however long, and an instance takes back its own abandoned claims.
#include "inbox/storage/claimer_liveness.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <algorithm>
#include <thread>

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/job_repository.hpp"
#include "inbox/storage/webhook_event_repository.hpp"
#include "test_database.hpp"

namespace inbox::storage {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// One server instance as far as claims go: its liveness lock and the repositories that claim under its key.
struct Instance {
    Instance(const std::string& url, DbPool& pool, observability::MetricsRegistry& metrics)
        : liveness(url, metrics), events(pool, &liveness), jobs(pool, &liveness) {
        liveness.start();
        for (int i = 0; i < 400 && !liveness.held(); ++i) std::this_thread::sleep_for(5ms);
    }
    ClaimerLiveness liveness;
    WebhookEventRepository events;
    JobRepository jobs;
};

class ClaimerLivenessTest : public ::testing::Test {
protected:
    testing::TestDatabase db;
    observability::MetricsRegistry metrics;
    DbPool pool{{.url = db.url(), .size = 2}, metrics};
    asio::io_context io;

    template <typename T>
    T run(asio::awaitable<T> awaitable) {
        auto future = asio::co_spawn(io, std::move(awaitable), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }
    std::size_t sweep(Instance& instance) { return run(instance.events.claim({}, 10)).size(); }
    std::size_t claim_jobs(Instance& instance) { return run(instance.jobs.claim_due({"test"}, 10, 60s)).size(); }
    std::int64_t one_event() {
        return run(WebhookEventRepository(pool).insert_batch({R"({"object":"whatsapp_business_account"})"})).at(0);
    }
};

TEST_F(ClaimerLivenessTest, BothInstancesHoldTheirLocks) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    ASSERT_TRUE(a.liveness.held() && b.liveness.held());
    EXPECT_NE(a.liveness.key(), b.liveness.key());
    EXPECT_EQ(db.query_value("SELECT claimer_alive(" + std::to_string(a.liveness.key()) + ")"), "t");
    EXPECT_EQ(db.query_value("SELECT claimer_alive(12345)"), "f");
}

TEST_F(ClaimerLivenessTest, ADeadInstancesEventIsTakenOverAtOnce) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    auto id = one_event();
    ASSERT_EQ(run(a.events.claim({id}, 1)).size(), 1u);
    EXPECT_EQ(sweep(b), 0u) << "a's claim is alive";

    a.liveness.stop();  // what a SIGKILL does to its sessions, a moment later
    auto taken = run(b.events.claim({}, 10));
    ASSERT_EQ(taken.size(), 1u) << "no lease to wait out";
    EXPECT_EQ(taken[0].id, id);
    EXPECT_EQ(taken[0].attempts, 2);
    EXPECT_EQ(db.query_value("SELECT claimed_by FROM webhook_events"), std::to_string(b.liveness.key()));
}

TEST_F(ClaimerLivenessTest, ALiveButSlowInstanceKeepsItsClaimPastItsLease) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    one_event();
    ASSERT_EQ(sweep(a), 1u);
    db.execute("UPDATE webhook_events SET locked_until = now() - interval '9 minutes'");
    EXPECT_EQ(sweep(b), 0u) << "a lives: its claim holds";
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(sweep(b), 0u);
    // Ten minutes past its end, a live claimer is taken to hang.
    db.execute("UPDATE webhook_events SET locked_until = now() - interval '11 minutes'");
    EXPECT_EQ(sweep(b), 1u);
}

TEST_F(ClaimerLivenessTest, AnInstanceTakesBackItsOwnClaimOnceItEnded) {
    Instance a(db.url(), pool, metrics);
    one_event();
    ASSERT_EQ(sweep(a), 1u);
    EXPECT_EQ(sweep(a), 0u) << "its own claim, still running";
    db.execute("UPDATE webhook_events SET locked_until = now() - interval '1 second'");  // its outcome was lost
    EXPECT_EQ(sweep(a), 1u);
}

// Processing failed and so did its rescheduling (Postgres was away): the instance names the claim it gave up on,
// and takes it back at once instead of after its 60 s lease. Nobody else may take it that way.
TEST_F(ClaimerLivenessTest, AnInstanceTakesBackAClaimItGaveUpOnAtOnce) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    auto id = one_event();
    auto other = one_event();
    ASSERT_EQ(run(a.events.claim({id, other}, 2)).size(), 2u);
    EXPECT_EQ(sweep(a), 0u) << "still within their lease";
    EXPECT_TRUE(run(b.events.claim({}, 10, {id})).empty()) << "b cannot take a's claim by naming it";
    auto taken = run(a.events.claim({}, 10, {id}));
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].id, id);
    EXPECT_EQ(taken[0].attempts, 2);
    EXPECT_EQ(sweep(a), 0u) << "the claim not given up on keeps its lease";
}

TEST_F(ClaimerLivenessTest, ADeadInstancesJobIsTakenOverAtOnceALiveOnesIsNot) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    ASSERT_TRUE(run(a.jobs.enqueue({.kind = "test", .dedupe_key = "one"})));
    ASSERT_EQ(claim_jobs(a), 1u);
    db.execute("UPDATE jobs SET locked_until = now() - interval '1 minute'");
    EXPECT_EQ(claim_jobs(b), 0u) << "a lives";
    EXPECT_EQ(run(b.jobs.depth()).due, 1) << "yet its lease ended: counted as due";

    a.liveness.stop();
    EXPECT_EQ(claim_jobs(b), 1u);
    EXPECT_EQ(db.query_value("SELECT attempts FROM jobs"), "2");
}

TEST_F(ClaimerLivenessTest, FinishedEventsAndJobsForgetTheirClaimer) {
    Instance a(db.url(), pool, metrics);
    auto id = one_event();
    ASSERT_EQ(run(a.events.claim({id}, 1)).size(), 1u);
    run(a.events.retry_later(id, "try again", 0s, 5));
    EXPECT_EQ(db.query_value("SELECT coalesce(claimed_by::text, 'none') FROM webhook_events"), "none");

    ASSERT_TRUE(run(a.jobs.enqueue({.kind = "test"})));
    ASSERT_EQ(claim_jobs(a), 1u);
    auto job = db.query_value("SELECT id FROM jobs");
    ASSERT_TRUE(run(a.jobs.complete(std::stoll(job))));
    EXPECT_EQ(db.query_value("SELECT coalesce(claimed_by::text, 'none') FROM jobs"), "none");
}

// An upstream outage costs a job no attempt (JobOutcome::postponed): it waits as long as it must, up to a week.
TEST_F(ClaimerLivenessTest, APostponedJobKeepsItsAttemptsUntilItIsAWeekOld) {
    Instance a(db.url(), pool, metrics);
    ASSERT_TRUE(run(a.jobs.enqueue({.kind = "test", .dedupe_key = "outage"})));
    const auto id = std::stoll(db.query_value("SELECT id FROM jobs"));
    for (int i = 0; i < 10; ++i) {  // twice max_attempts
        db.execute("UPDATE jobs SET run_at = now()");
        ASSERT_EQ(claim_jobs(a), 1u) << i;
        ASSERT_TRUE(run(a.jobs.postpone(id, 0s, "Graph unavailable")));
    }
    EXPECT_EQ(db.query_value("SELECT status || ' ' || attempts || ' ' || last_error FROM jobs"),
              "pending 0 Graph unavailable");
    db.execute("UPDATE jobs SET created_at = now() - interval '8 days', run_at = now()");
    ASSERT_EQ(claim_jobs(a), 1u);
    EXPECT_FALSE(run(a.jobs.postpone(id, 0s, "Graph unavailable"))) << "a week of outage: given up";
    EXPECT_EQ(db.query_value("SELECT status FROM jobs"), "failed");
}

}  // namespace
}  // namespace inbox::storage

namespace inbox::storage {
namespace {

// Two instances claiming the same queue at once, many times: a claim never returns more than its limit (the runner's
// in-flight cap depends on it) and no job is claimed twice.
TEST_F(ClaimerLivenessTest, ConcurrentClaimsStayWithinTheirLimitAndNeverOverlap) {
    Instance a(db.url(), pool, metrics), b(db.url(), pool, metrics);
    db.execute("INSERT INTO jobs (kind, dedupe_key, payload) SELECT 'test', 'k' || i, '{}' FROM generate_series(1, 300) i");
    std::vector<std::int64_t> seen;
    for (int round = 0; round < 20; ++round) {
        auto first = asio::co_spawn(io, a.jobs.claim_due({"test"}, 7, 60s), asio::use_future);
        auto second = asio::co_spawn(io, b.jobs.claim_due({"test"}, 7, 60s), asio::use_future);
        io.restart();
        io.run();
        for (auto* claimed : {&first, &second}) {
            auto jobs = claimed->get();
            EXPECT_LE(jobs.size(), 7u);
            for (const auto& job : jobs) seen.push_back(job.id);
        }
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a job was claimed twice";
    EXPECT_EQ(seen.size(), 280u);
}

}  // namespace
}  // namespace inbox::storage
