#include "inbox/storage/webhook_event_repository.hpp"

#include "inbox/storage/claimer_liveness.hpp"
#include "inbox/storage/claim_sql.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/live_notice.hpp"
#include "inbox/storage/pg_array.hpp"

#include <stdexcept>

namespace inbox::storage {
namespace {

constexpr Query kInsertWebhookEvents{
    "insert_webhook_events",
    "INSERT INTO webhook_events (body)"
    " SELECT body FROM unnest($1::text[]) WITH ORDINALITY AS batch(body, position) ORDER BY position"
    " RETURNING id"};

// A claim records this instance's liveness key ($3, storage/claimer_liveness.hpp) and lasts 60 s. Another instance
// takes it at once from a claimer whose liveness lock is gone (crashed, killed, stopped), never from a live one
// however slow, unless that one has held it 10 minutes past its end (it hangs). This instance takes its own back
// when they ended, or at once when it gave up on them ($4: their outcome could not be recorded, Postgres was away). Two statements, one per access path, because pool
// connections use generic plans (docs/ARCHITECTURE.md "Postgres"):
//   - by id (the fast path, just-committed events): only the primary key may serve it. Its status test is spelled
//     so that it does not imply the predicate of the partial `webhook_events_due` index; otherwise the planner may
//     pick that index and scan the whole backlog on every claim, which slows processing exactly when it is
//     behind (measured: ~6 ms per claim and a collapsing backlog at 500 deliveries/s from 1,000 senders).
//   - due (the sweeper): the partial index, oldest first.
#define INBOX_CLAIM_EVENTS(filter, order)                                                                      \
    "UPDATE webhook_events SET status = 'processing', attempts = attempts + 1, claimed_by = $3,"              \
    "   locked_until = now() + interval '60 seconds'"                                                        \
    " WHERE id IN (SELECT id FROM webhook_events"                                                            \
    "              WHERE " filter " AND next_attempt_at <= now()"                                            \
    "                AND " INBOX_CLAIM_TAKEABLE("claimed_by", "locked_until", "$3", "id = ANY($4::bigint[])")  \
    "              " order " LIMIT $2 FOR UPDATE SKIP LOCKED)"                                               \
    " RETURNING id, body, attempts, extract(epoch FROM received_at)::double precision"

constexpr Query kClaimEventsById{
    "claim_webhook_events_by_id",
    INBOX_CLAIM_EVENTS("id = ANY($1::bigint[]) AND status NOT IN ('processed', 'ignored', 'failed')", "")};
constexpr Query kClaimDueEvents{
    "claim_due_webhook_events",
    INBOX_CLAIM_EVENTS("$1::bigint[] IS NULL AND status IN ('pending', 'processing')", "ORDER BY id")};

#undef INBOX_CLAIM_EVENTS

// Marks the batch's events done and sends its live notices ($5: payloads on channel $4) in one round trip. A
// data-modifying CTE always runs to completion, and the NOTIFYs are delivered only if the transaction commits.
constexpr Query kFinishEvents{
    "finish_webhook_events",
    "WITH finished AS ("
    " UPDATE webhook_events e SET status = x.status, processed_at = now(), locked_until = NULL, claimed_by = NULL,"
    "   last_error = NULLIF(x.note, '')"
    " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(id, status, note) WHERE e.id = x.id RETURNING e.id)"
    " SELECT (SELECT count(*) FROM finished), (SELECT count(pg_notify($4, payload)) FROM unnest($5::text[]) payload)"};

constexpr Query kRetryEvent{
    "retry_webhook_event",
    "UPDATE webhook_events SET status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END,"
    "   next_attempt_at = now() + make_interval(secs => $3), locked_until = NULL, claimed_by = NULL, last_error = $2"
    " WHERE id = $1"};

std::string to_pg_bigint_array(const std::vector<std::int64_t>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "}";
}

}  // namespace

boost::asio::awaitable<std::vector<WebhookEventRepository::ClaimedEvent>> WebhookEventRepository::claim(
    std::vector<std::int64_t> ids, std::size_t limit, std::vector<std::int64_t> given_up) {
    if (!claimer_) throw std::logic_error("WebhookEventRepository: claims need a claimer");
    return lane_.run([ids = std::move(ids), limit, given_up = std::move(given_up),
                      claimer = claimer_->key()](DbConnection& db) {
        pqxx::work tx(db.raw());
        // A lost claim is harmless (the events stay pending), so its commit need not wait for the WAL flush.
        db.exec_plain(tx, "SET LOCAL synchronous_commit = off");
        std::optional<std::string> filter;
        if (!ids.empty()) filter = to_pg_bigint_array(ids);
        auto rows = db.exec(tx, filter ? kClaimEventsById : kClaimDueEvents, nullable(filter),
                            static_cast<long long>(limit), claimer, to_pg_bigint_array(given_up));
        tx.commit();
        std::vector<ClaimedEvent> events;
        for (const auto& row : rows) {
            events.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<int>(), row[3].as<double>()});
        }
        return events;
    });
}

void WebhookEventRepository::finish(DbConnection& db, pqxx::transaction_base& tx,
                                    const std::vector<FinishedEvent>& finished,
                                    const std::vector<std::string>& live_payloads) {
    if (finished.empty() && live_payloads.empty()) return;
    std::vector<std::int64_t> ids;
    std::vector<std::string> statuses;
    std::vector<std::string> notes;
    for (const auto& event : finished) {
        ids.push_back(event.id);
        statuses.emplace_back(event.outcome == Outcome::processed ? "processed" : "ignored");
        notes.push_back(event.note);
    }
    db.exec(tx, kFinishEvents, to_pg_bigint_array(ids), to_pg_text_array(statuses), to_pg_text_array(notes),
            std::string(kLiveChannel), to_pg_text_array(live_payloads));
}

boost::asio::awaitable<void> WebhookEventRepository::retry_later(std::int64_t id, std::string error,
                                                                 std::chrono::seconds delay, int max_attempts) {
    auto run = lane_.run([id, error = std::move(error), delay, max_attempts](DbConnection& db) {
        pqxx::work tx(db.raw());
        db.exec(tx, kRetryEvent, id, error, static_cast<double>(delay.count()), max_attempts);
        tx.commit();
    });
    return [](auto awaitable) -> boost::asio::awaitable<void> { co_await std::move(awaitable); }(std::move(run));
}

// Not a coroutine on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::vector<std::int64_t>> WebhookEventRepository::insert_batch(std::vector<std::string> bodies) {
    return lane_.run([bodies = std::move(bodies)](DbConnection& db) {
        pqxx::work tx(db.raw());
        auto rows = db.exec(tx, kInsertWebhookEvents, to_pg_text_array(bodies));
        tx.commit();
        std::vector<std::int64_t> ids;
        ids.reserve(rows.size());
        for (const auto& row : rows) ids.push_back(row[0].as<std::int64_t>());
        return ids;
    });
}

}  // namespace inbox::storage
