#include "inbox/cache/cache_family.hpp"

#include <algorithm>
#include <cctype>

namespace inbox::cache {
namespace {

bool is_version_segment(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == 'v' &&
           std::all_of(segment.begin() + 1, segment.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string_view first_segment(std::string_view key) { return key.substr(0, key.find(':')); }

}  // namespace

std::string_view cache_family(std::string_view key) noexcept {
    auto family = first_segment(key);
    if (is_version_segment(family) && family.size() < key.size()) {
        family = first_segment(key.substr(family.size() + 1));
    }
    return family.empty() ? std::string_view("unknown") : family;
}

}  // namespace inbox::cache
