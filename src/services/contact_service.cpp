#include "inbox/services/contact_service.hpp"

#include <spdlog/spdlog.h>

#include "inbox/cache/cache.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/services/inbox_cache_keys.hpp"
#include "inbox/services/key_waiters.hpp"

namespace inbox::services {

ContactService::ContactService(storage::ContactRepository& contacts, graph::GraphApi& graph, cache::Cache& cache,
                               KeyWaiters& waiters, std::optional<std::string> lookup_url, Clock clock)
    : contacts_(contacts),
      graph_(graph),
      cache_(cache),
      waiters_(waiters),
      lookup_url_(std::move(lookup_url)),
      clock_(std::move(clock)) {}

boost::asio::awaitable<ContactAnswer> ContactService::whatsapp_info(std::string user_id, std::string contact_id) {
    ContactAnswer answer;
    auto contact = co_await contacts_.find(user_id, contact_id);
    if (!contact) co_return answer;

    ContactInfo info;
    info.profile_name = contact->profile_name;
    info.free_window = domain::free_window(contact->last_inbound_at, clock_());
    if (lookup_url_) {
        auto lookup = co_await look_up(*contact);
        if (lookup.answered) {
            info.live = true;
            if (lookup.profile_name && !lookup.profile_name->empty()) info.profile_name = lookup.profile_name;
        } else {
            info.stale = true;
            // Nothing to fall back on: the customer never wrote and no profile name is known.
            if (!contact->profile_name && !contact->last_inbound_at) {
                answer.outcome = ContactAnswer::Outcome::unavailable;
                answer.retry_after_seconds = lookup.retry_after_seconds;
                co_return answer;
            }
        }
    }
    info.contact = std::move(*contact);
    answer.outcome = ContactAnswer::Outcome::found;
    answer.info = std::move(info);
    co_return answer;
}

// Cache, then one upstream call per contact at a time: concurrent askers wait for the leader and read its answer
// from the cache (a failure is not cached: the breaker remembers it instead).
boost::asio::awaitable<ContactService::Lookup> ContactService::look_up(const storage::StoredContact& contact) {
    const auto key = contact_lookup_cache_key(contact.account_id, contact.wa_id);
    Lookup lookup;
    if (auto cached = co_await cache_.get(key)) {
        lookup.answered = true;
        lookup.profile_name = *cached;
        co_return lookup;
    }
    bool leader = false;
    {
        std::lock_guard lock(flights_mutex_);
        leader = flights_.insert(key).second;
    }
    if (!leader) {
        auto ticket = co_await waiters_.prepare(key);
        bool still_flying = false;
        {
            std::lock_guard lock(flights_mutex_);
            still_flying = flights_.contains(key);
        }
        if (still_flying) co_await ticket->wait(kContactLookupWait);
        if (auto cached = co_await cache_.get(key)) {
            lookup.answered = true;
            lookup.profile_name = *cached;
        }
        co_return lookup;
    }

    // Ends the flight however the call ends (an exception too): followers must not wait for a leader that is gone.
    struct FlightEnd {
        ContactService& service;
        std::string key;
        ~FlightEnd() {
            {
                std::lock_guard lock(service.flights_mutex_);
                service.flights_.erase(key);
            }
            service.waiters_.notify(key);
        }
    } flight_end{*this, key};

    // The account's Meta token is not sent to a third-party lookup service.
    auto result = co_await graph_.lookup_contact(*lookup_url_, contact.wa_id, std::string());
    if (result) {
        lookup.answered = true;
        lookup.profile_name = result.value().profile_name;
        co_await cache_.set(key, result.value().profile_name,
                            std::chrono::duration_cast<std::chrono::seconds>(kContactLookupTtl));
    } else if (const auto* unavailable = result.unavailable()) {
        lookup.retry_after_seconds = std::max(1, unavailable->retry_after_seconds);
    }
    co_return lookup;
}

}  // namespace inbox::services
