#pragma once
#include <string_view>

namespace inbox::cache {

// The family of a cache key, used as the `cache` metric label: "v1:account:phone:1065…" → "account". The version
// prefix ("v<digits>:") is skipped when present; a key without one yields its first segment. An empty family
// yields "unknown".
std::string_view cache_family(std::string_view key) noexcept;

}  // namespace inbox::cache
