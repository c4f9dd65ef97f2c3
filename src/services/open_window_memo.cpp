#include "inbox/services/open_window_memo.hpp"

#include <charconv>

namespace inbox::services {
namespace {

std::string encode(domain::TimePoint instant) {
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(instant.time_since_epoch()).count());
}

std::optional<domain::TimePoint> decode(const std::string& text) {
    std::int64_t micros = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), micros);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return domain::TimePoint{
        std::chrono::duration_cast<domain::TimePoint::duration>(std::chrono::microseconds(micros))};
}

}  // namespace

OpenWindowMemo::OpenWindowMemo(std::size_t max_entries, std::chrono::steady_clock::duration ttl)
    : entries_(max_entries), ttl_(ttl) {}

std::optional<domain::TimePoint> OpenWindowMemo::open_until(const std::string& conversation_id, domain::TimePoint now) {
    std::optional<std::string> stored;
    {
        std::lock_guard lock(mutex_);
        stored = entries_.get(conversation_id, std::chrono::steady_clock::now());
    }
    if (!stored) return std::nullopt;
    auto closes_at = decode(*stored);
    if (!closes_at || *closes_at <= now) return std::nullopt;
    return closes_at;
}

void OpenWindowMemo::remember(const std::string& conversation_id, domain::TimePoint closes_at, domain::TimePoint now) {
    if (closes_at <= now) return;
    std::lock_guard lock(mutex_);
    entries_.set(conversation_id, encode(closes_at), std::chrono::steady_clock::now() + ttl_);
}

}  // namespace inbox::services
