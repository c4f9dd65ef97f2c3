#include "inbox/cache/lru_ttl_map.hpp"

#include <stdexcept>

namespace inbox::cache {

LruTtlMap::LruTtlMap(std::size_t max_entries) : max_entries_(max_entries) {
    if (max_entries_ == 0) throw std::invalid_argument("LruTtlMap needs room for at least one entry");
    index_.reserve(max_entries_);
}

std::optional<std::string> LruTtlMap::get(std::string_view key, TimePoint now) {
    auto entry = find_live(key, now);
    if (entry == entries_.end()) return std::nullopt;
    entries_.splice(entries_.begin(), entries_, entry);
    return entry->value;
}

void LruTtlMap::set(std::string key, std::string value, TimePoint expires_at) {
    erase(key);
    insert_front(std::move(key), std::move(value), expires_at);
}

bool LruTtlMap::set_if_absent(std::string key, std::string value, TimePoint expires_at, TimePoint now) {
    auto entry = find_live(key, now);
    if (entry != entries_.end()) {
        entries_.splice(entries_.begin(), entries_, entry);
        return false;
    }
    insert_front(std::move(key), std::move(value), expires_at);
    return true;
}

void LruTtlMap::erase(std::string_view key) {
    auto found = index_.find(key);
    if (found == index_.end()) return;
    auto entry = found->second;
    index_.erase(found);  // before the node that owns the key's characters
    entries_.erase(entry);
}

LruTtlMap::Entries::iterator LruTtlMap::find_live(std::string_view key, TimePoint now) {
    auto found = index_.find(key);
    if (found == index_.end()) return entries_.end();
    auto entry = found->second;
    if (entry->expires_at <= now) {
        index_.erase(found);
        entries_.erase(entry);
        return entries_.end();
    }
    return entry;
}

void LruTtlMap::insert_front(std::string key, std::string value, TimePoint expires_at) {
    if (entries_.size() >= max_entries_) erase(entries_.back().key);
    entries_.push_front(Entry{std::move(key), std::move(value), expires_at});
    index_.emplace(entries_.front().key, entries_.begin());
}

}  // namespace inbox::cache
