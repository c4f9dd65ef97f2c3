#pragma once
// The data structure behind MemoryCache: a bounded LRU map whose entries also expire. Not thread-safe, and time is
// passed in by the caller, so it is plain logic that tests drive directly.
#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace inbox::cache {

class LruTtlMap {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit LruTtlMap(std::size_t max_entries);

    // A hit marks the entry most recently used; an expired entry is removed and reported absent.
    std::optional<std::string> get(std::string_view key, TimePoint now);
    void set(std::string key, std::string value, TimePoint expires_at);
    // Stores only when the key is absent or expired; true when it stored.
    bool set_if_absent(std::string key, std::string value, TimePoint expires_at, TimePoint now);
    void erase(std::string_view key);

    // Entries held, including expired ones not yet swept out by a lookup or eviction.
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Entry {
        std::string key;
        std::string value;
        TimePoint expires_at;
    };
    using Entries = std::list<Entry>;  // front = most recently used

    // The live entry for `key`, or end() when absent; removes it when expired.
    Entries::iterator find_live(std::string_view key, TimePoint now);
    void insert_front(std::string key, std::string value, TimePoint expires_at);

    std::size_t max_entries_;
    Entries entries_;
    // Keys view the strings owned by the list nodes, which never move.
    std::unordered_map<std::string_view, Entries::iterator> index_;
};

}  // namespace inbox::cache
