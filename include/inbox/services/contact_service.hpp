#pragma once
// GET /contacts/{id}/whatsapp-info (API.md "Contacts"), answered from what webhooks stored. The Cloud API has no
// contact lookup; an optional upstream one (WHATSAPP_CONTACT_LOOKUP_URL) is tried through the `contacts` breaker
// with a short timeout, its answers cached 24 h, one call per contact at a time (single flight). Its failures fall
// back to the stored data, marked stale; only a contact with nothing stored and a failed lookup is "unavailable".
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "inbox/domain/free_window.hpp"
#include "inbox/storage/contact_repository.hpp"

namespace inbox::cache {
class Cache;
}
namespace inbox::graph {
class GraphApi;
}

namespace inbox::services {

class KeyWaiters;

struct ContactInfo {
    storage::StoredContact contact;
    std::optional<std::string> profile_name;  // the lookup's when it answered, else the stored one
    domain::FreeWindow free_window;
    bool live = false;   // the upstream lookup answered (now or within the cache's 24 h)
    bool stale = false;  // a lookup is configured but failed: this is what was stored
};

struct ContactAnswer {
    enum class Outcome { found, not_found, unavailable };
    Outcome outcome = Outcome::not_found;
    std::optional<ContactInfo> info;
    int retry_after_seconds = 0;  // unavailable
};

class ContactService {
public:
    using Clock = std::function<domain::TimePoint()>;

    // `lookup_url` empty: no upstream lookup, stored data only.
    ContactService(
        storage::ContactRepository& contacts, graph::GraphApi& graph, cache::Cache& cache, KeyWaiters& waiters,
        std::optional<std::string> lookup_url, Clock clock = [] { return std::chrono::system_clock::now(); });

    boost::asio::awaitable<ContactAnswer> whatsapp_info(std::string user_id, std::string contact_id);

private:
    struct Lookup {
        std::optional<std::string> profile_name;
        bool answered = false;
        int retry_after_seconds = 1;
    };
    boost::asio::awaitable<Lookup> look_up(const storage::StoredContact& contact);

    storage::ContactRepository& contacts_;
    graph::GraphApi& graph_;
    cache::Cache& cache_;
    KeyWaiters& waiters_;
    std::optional<std::string> lookup_url_;
    Clock clock_;
    std::mutex flights_mutex_;
    std::set<std::string> flights_;  // cache keys with a lookup in flight in this process
};

inline constexpr std::chrono::hours kContactLookupTtl{24};
// A follower of an in-flight lookup waits at most this long for the leader's answer.
inline constexpr std::chrono::milliseconds kContactLookupWait{2'000};

}  // namespace inbox::services
