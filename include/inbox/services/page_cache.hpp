#pragma once
// Rendered inbox pages (a conversation list, a message page) kept in this process with the page version they were
// read under (storage/inbox_repository.hpp, migration 0006). A cached body is answered only after the caller's
// request has read the current version from Postgres and found it equal, so the cache can never answer a page older
// than a committed change, whichever instance wrote it; it only saves the page's query and its rendering.
// Thread-safe; bounded by the bytes of the bodies it holds (least recently used dropped first).
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "inbox/domain/time.hpp"
#include "inbox/storage/inbox_repository.hpp"

namespace inbox::services {

using PageBody = std::shared_ptr<const std::string>;

struct CachedPage {
    storage::PageVersion version = 0;
    // A page may show time-dependent facts (a free window that closes): past this instant it is not answered.
    domain::TimePoint valid_until = domain::TimePoint::max();
    PageBody body;
};

inline constexpr std::size_t kDefaultPageCacheBytes = 64 * 1024 * 1024;

class PageCache {
public:
    explicit PageCache(std::size_t max_bytes = kDefaultPageCacheBytes) : max_bytes_(max_bytes) {}

    // The entry for `key` when it is still valid at `now` (marked most recently used); nullopt otherwise.
    std::optional<CachedPage> find(std::string_view key, domain::TimePoint now);
    // Keeps `page` unless the key already holds a newer version (a slower reader must not replace a fresher page).
    // A body larger than the whole budget is not kept.
    void store(std::string key, CachedPage page);

    std::size_t bytes() const;
    std::size_t size() const;

private:
    struct Entry {
        std::string key;
        CachedPage page;
    };
    using Entries = std::list<Entry>;  // front = most recently used

    void erase(Entries::iterator entry);

    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::size_t bytes_ = 0;
    Entries entries_;
    std::unordered_map<std::string_view, Entries::iterator> index_;  // keys view the list nodes' strings
};

}  // namespace inbox::services
