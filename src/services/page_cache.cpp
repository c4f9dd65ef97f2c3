#include "inbox/services/page_cache.hpp"

namespace inbox::services {
namespace {

// The body plus a rough per-entry overhead (key, list and map nodes), so many tiny pages still count.
std::size_t cost_of(const std::string& key, const CachedPage& page) {
    constexpr std::size_t kEntryOverhead = 128;
    return key.size() + (page.body ? page.body->size() : 0) + kEntryOverhead;
}

}  // namespace

std::optional<CachedPage> PageCache::find(std::string_view key, domain::TimePoint now) {
    std::lock_guard lock(mutex_);
    const auto found = index_.find(key);
    if (found == index_.end()) return std::nullopt;
    const auto entry = found->second;
    if (now >= entry->page.valid_until) {
        erase(entry);
        return std::nullopt;
    }
    entries_.splice(entries_.begin(), entries_, entry);
    return entry->page;
}

void PageCache::store(std::string key, CachedPage page) {
    const auto cost = cost_of(key, page);
    if (!page.body || cost > max_bytes_) return;
    std::lock_guard lock(mutex_);
    if (const auto found = index_.find(key); found != index_.end()) {
        if (found->second->page.version > page.version) return;
        erase(found->second);
    }
    entries_.push_front(Entry{std::move(key), std::move(page)});
    index_.emplace(entries_.front().key, entries_.begin());
    bytes_ += cost;
    while (bytes_ > max_bytes_) erase(std::prev(entries_.end()));
}

void PageCache::erase(Entries::iterator entry) {
    bytes_ -= cost_of(entry->key, entry->page);
    index_.erase(entry->key);
    entries_.erase(entry);
}

std::size_t PageCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t PageCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace inbox::services
