#include "inbox/services/webhook_processor.hpp"

#include "inbox/services/given_up_claims.hpp"
#include "inbox/cache/cache.hpp"
#include "inbox/domain/json_limits.hpp"
#include "inbox/domain/nul_characters.hpp"
#include "inbox/domain/webhook_payload.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/services/account_directory.hpp"
#include "inbox/services/given_up_claims.hpp"
#include "inbox/services/inbox_cache_keys.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>

namespace inbox::services {
namespace asio = boost::asio;
using storage::WebhookEventRepository;

std::chrono::seconds webhook_retry_delay(int attempts) {
    auto exponent = std::clamp(attempts, 0, 9);
    return std::min(std::chrono::seconds(1LL << exponent), std::chrono::seconds(300));
}

struct WebhookProcessor::State : std::enable_shared_from_this<State> {
    State(asio::any_io_executor io_executor, WebhookEventRepository& event_repository,
          storage::InboundRepository& inbound_repository, AccountDirectory& account_directory, cache::Cache& cache_ref,
          observability::MetricsRegistry& metrics, WebhookProcessorOptions processor_options)
        : executor(asio::make_strand(io_executor)),
          events(event_repository),
          inbound(inbound_repository),
          directory(account_directory),
          cache(cache_ref),
          options(processor_options),
          sweep_timer(executor),
          processed(outcome_counter(metrics, "processed")),
          ignored(outcome_counter(metrics, "ignored")),
          retried(outcome_counter(metrics, "retried")),
          swept(metrics.counter("inbox_webhook_swept_total",
                                "Deliveries claimed by the sweeper (retries, other instances' and lost claims)")),
          lag(metrics.histogram("inbox_webhook_processing_lag_seconds",
                                "Time from a delivery's commit to the end of its processing")) {
        metrics.gauge_callback("inbox_webhook_processing_queue_depth", "Committed deliveries waiting for a worker", {},
                               [this] { return static_cast<double>(depth()); });
    }

    static observability::Counter& outcome_counter(observability::MetricsRegistry& metrics, const char* outcome) {
        return metrics.counter("inbox_webhook_events_total", "Webhook deliveries by processing outcome",
                               {{"outcome", outcome}});
    }

    std::size_t depth() const {
        std::lock_guard lock(mutex);
        return pending.size();
    }

    void enqueue(std::int64_t id) {
        {
            std::lock_guard lock(mutex);
            pending.push_back(id);
            if (active_workers >= options.workers || stopped) return;
            ++active_workers;
        }
        // Outside the lock: co_spawn may start the worker inline, and the worker takes the lock.
        asio::co_spawn(executor, work(shared_from_this()), asio::detached);
    }

    std::vector<std::int64_t> take_batch() {
        std::lock_guard lock(mutex);
        std::vector<std::int64_t> ids;
        while (!pending.empty() && ids.size() < options.claim_batch && !stopped) {
            ids.push_back(pending.front());
            pending.pop_front();
        }
        if (ids.empty()) --active_workers;
        return ids;
    }

    // The sweeper's turn comes due every sweep_interval even while the fast path never runs dry: under a
    // sustained burst, retries and a dead instance's claims would otherwise wait for the burst to end.
    bool take_sweep_turn() {
        std::lock_guard lock(mutex);
        const auto now = std::chrono::steady_clock::now();
        if (now - last_sweep < options.sweep_interval) return false;
        last_sweep = now;
        return true;
    }

    // Any due event, this instance's given-up claims included.
    static asio::awaitable<std::vector<WebhookEventRepository::ClaimedEvent>> claim_due(std::shared_ptr<State> self) {
        auto claimed = co_await self->events.claim({}, self->options.claim_batch, self->given_up.current());
        std::vector<std::int64_t> ids;
        for (const auto& event : claimed) ids.push_back(event.id);
        self->given_up.claimed(ids);
        co_return claimed;
    }

    static asio::awaitable<void> sweep_turn(std::shared_ptr<State> self) {
        std::vector<WebhookEventRepository::ClaimedEvent> claimed;
        try {
            claimed = co_await claim_due(self);
        } catch (const std::exception& error) {
            spdlog::warn("webhook sweeper: {}", error.what());
        }
        self->swept.inc(claimed.size());
        co_await process_batch(self, std::move(claimed));
    }

    static asio::awaitable<void> work(std::shared_ptr<State> self) {
        for (;;) {
            if (self->take_sweep_turn()) co_await sweep_turn(self);
            auto ids = self->take_batch();
            if (ids.empty()) co_return;
            std::vector<WebhookEventRepository::ClaimedEvent> claimed;
            try {
                claimed = co_await self->events.claim(ids, ids.size());
            } catch (const std::exception& error) {
                // Still committed: the sweeper retries them once the database answers again (at once, should this
                // claim have committed before its answer was lost).
                spdlog::warn("webhook: claiming {} events failed: {}", ids.size(), error.what());
                self->given_up.add(ids);
            }
            co_await process_batch(self, std::move(claimed));
        }
    }

    // The fast path is working through ids this instance committed: the sweeper leaves the table to it rather than
    // having two batch transactions wait on each other's contact and conversation locks.
    bool fast_path_busy() const {
        std::lock_guard lock(mutex);
        return active_workers > 0 || !pending.empty();
    }

    // While the fast path works, it takes the sweeper's turns itself (take_sweep_turn): one batch transaction at a
    // time per instance, so this instance's batches never wait on each other's locks.
    static asio::awaitable<void> sweep(std::shared_ptr<State> self) {
        while (!self->stopped) {
            std::vector<WebhookEventRepository::ClaimedEvent> claimed;
            try {
                if (!self->fast_path_busy()) {
                    {
                        std::lock_guard lock(self->mutex);
                        self->last_sweep = std::chrono::steady_clock::now();
                    }
                    claimed = co_await claim_due(self);
                }
            } catch (const std::exception& error) {
                spdlog::warn("webhook sweeper: {}", error.what());
            }
            auto claimed_count = claimed.size();
            self->swept.inc(claimed_count);
            co_await process_batch(self, std::move(claimed));
            if (claimed_count < self->options.claim_batch) {
                self->sweep_timer.expires_after(self->options.sweep_interval);
                boost::system::error_code ignored_error;
                co_await self->sweep_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored_error));
            }
        }
    }

    // A claimed batch is stored in one transaction: a busy conversation's row is then locked once per batch rather
    // than once per delivery, and the per-transaction round trips are paid once. If anything in the batch fails,
    // each event is redone on its own, so only the failing one is retried.
    static asio::awaitable<void> process_batch(std::shared_ptr<State> self,
                                               std::vector<WebhookEventRepository::ClaimedEvent> batch) {
        if (batch.empty()) co_return;
        if (batch.size() > 1) {
            bool stored_all = false;
            try {
                co_await store(self, batch);
                stored_all = true;
            } catch (const std::exception& error) {
                spdlog::debug("webhook: batch of {} failed, processing one by one: {}", batch.size(), error.what());
            }
            if (stored_all) co_return;
        }
        for (auto& event : batch) co_await process(self, std::move(event));
    }

    // Stores the events in one transaction, then drops the cache entries it made stale and counts the outcomes.
    // Throws when any of them cannot be stored; nothing of the transaction is then kept.
    static asio::awaitable<void> store(std::shared_ptr<State> self,
                                       std::vector<WebhookEventRepository::ClaimedEvent> events) {
        AccountMemo accounts;
        std::vector<storage::DeliveryToStore> deliveries;
        for (const auto& event : events) deliveries.push_back(co_await self->prepare(event, accounts));
        auto stored = co_await self->inbound.store_deliveries(std::move(deliveries));
        co_await self->invalidate(touched_conversations(stored));
        for (std::size_t i = 0; i < events.size(); ++i) self->count(events[i], stored.at(i));
    }

    static asio::awaitable<void> process(std::shared_ptr<State> self, WebhookEventRepository::ClaimedEvent event) {
        std::string failure;
        try {
            std::vector<WebhookEventRepository::ClaimedEvent> single;
            single.push_back(event);
            co_await store(self, std::move(single));
        } catch (const std::exception& error) {
            failure = error.what();
        }
        if (failure.empty()) co_return;
        self->retried.inc();
        co_await self->directory.forget(phone_numbers_of(event.body));
        spdlog::warn("webhook event {} attempt {} failed: {}", event.id, event.attempts, failure);
        try {
            co_await self->events.retry_later(event.id, failure, webhook_retry_delay(event.attempts),
                                              self->options.max_attempts);
        } catch (const std::exception& error) {
            // Still claimed by this instance: the sweeper takes it again at its next turn.
            spdlog::warn("webhook event {}: could not schedule the retry: {}", event.id, error.what());
            self->given_up.add(std::vector<std::int64_t>(1, event.id));
        }
    }

    // The business numbers a delivery names (nothing for a body that does not parse).
    static std::vector<std::string> phone_numbers_of(const std::string& body) {
        std::vector<std::string> numbers;
        auto document = nlohmann::json::parse(body, nullptr, false);
        if (document.is_discarded()) return numbers;
        for (const auto& change : domain::normalize_webhook(document).account_changes) {
            numbers.push_back(change.phone_number_id);
        }
        return numbers;
    }

    // Account ids looked up while preparing one batch: its deliveries usually name the same few numbers.
    using AccountMemo = std::map<std::string, std::optional<std::string>>;

    // Parses the delivery and routes its changes to accounts; throws on a body that cannot be processed.
    asio::awaitable<storage::DeliveryToStore> prepare(const WebhookEventRepository::ClaimedEvent& event,
                                                      AccountMemo& accounts) {
        storage::DeliveryToStore to_store;
        to_store.event_id = event.id;
        // Signed by Meta, yet never trusted to be small: a refused shape is recorded as ignored, with the reason.
        if (auto exceeded = domain::json_limit_exceeded(event.body, domain::kWebhookJsonLimits)) {
            to_store.notes = "not processed: " + *exceeded;
            co_return to_store;
        }
        auto document = nlohmann::json::parse(event.body);
        domain::replace_nul_characters(document);
        auto delivery = domain::normalize_webhook(document);
        for (auto& change : delivery.account_changes) {
            auto known = accounts.find(change.phone_number_id);
            if (known == accounts.end()) {
                auto account_id = co_await directory.account_id_for(change.phone_number_id);
                known = accounts.emplace(change.phone_number_id, std::move(account_id)).first;
            }
            if (!known->second) {
                to_store.notes += "unknown phone_number_id " + change.phone_number_id + "; ";
                continue;
            }
            to_store.account_changes.push_back({*known->second, std::move(change)});
        }
        to_store.template_changes = std::move(delivery.template_status_changes);
        for (const auto& ignored_change : delivery.ignored) to_store.notes += ignored_change.reason + "; ";
        co_return to_store;
    }

    static std::vector<std::string> touched_conversations(const std::vector<storage::StoredDelivery>& stored) {
        std::vector<std::string> touched;
        for (const auto& delivery : stored) {
            for (const auto& change : delivery.changes) {
                touched.insert(touched.end(), change.touched_conversation_ids.begin(),
                               change.touched_conversation_ids.end());
            }
        }
        return touched;
    }

    // After the transaction committed: stale cache entries go, once per conversation however many deliveries
    // touched it. Live clients hear of the change through the NOTIFY sent by that transaction
    // (storage/live_notice.hpp), on every instance.
    asio::awaitable<void> invalidate(std::vector<std::string> conversation_ids) {
        std::sort(conversation_ids.begin(), conversation_ids.end());
        conversation_ids.erase(std::unique(conversation_ids.begin(), conversation_ids.end()), conversation_ids.end());
        std::vector<std::string> keys;
        for (const auto& conversation_id : conversation_ids) {
            keys.push_back(free_window_cache_key(conversation_id));
        }
        co_await cache.erase_many(std::move(keys));
    }

    void count(const WebhookEventRepository::ClaimedEvent& event, const storage::StoredDelivery& stored) {
        (stored.handled ? processed : ignored).inc();
        auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        lag.observe(std::max(0.0, now - event.received_at));
    }

    asio::any_io_executor executor;
    WebhookEventRepository& events;
    storage::InboundRepository& inbound;
    AccountDirectory& directory;
    cache::Cache& cache;
    WebhookProcessorOptions options;
    asio::steady_timer sweep_timer;
    observability::Counter& processed;
    observability::Counter& ignored;
    observability::Counter& retried;
    observability::Counter& swept;
    observability::Histogram& lag;
    mutable std::mutex mutex;
    std::deque<std::int64_t> pending;
    std::size_t active_workers = 0;
    std::chrono::steady_clock::time_point last_sweep{};
    GivenUpClaims given_up{WebhookEventRepository::kClaimLease};
    std::atomic<bool> stopped{false};
};

WebhookProcessor::WebhookProcessor(asio::any_io_executor executor, WebhookEventRepository& events,
                                   storage::InboundRepository& inbound, AccountDirectory& directory,
                                   cache::Cache& cache, observability::MetricsRegistry& metrics,
                                   WebhookProcessorOptions options)
    : state_(std::make_shared<State>(std::move(executor), events, inbound, directory, cache, metrics, options)) {}

WebhookProcessor::~WebhookProcessor() { stop(); }

void WebhookProcessor::enqueue(std::int64_t event_id) { state_->enqueue(event_id); }

void WebhookProcessor::start_sweeper() { asio::co_spawn(state_->executor, State::sweep(state_), asio::detached); }

void WebhookProcessor::stop() {
    state_->stopped = true;
    asio::post(state_->sweep_timer.get_executor(), [state = state_] { state->sweep_timer.cancel(); });
}

std::size_t WebhookProcessor::queue_depth() const { return state_->depth(); }

}  // namespace inbox::services
