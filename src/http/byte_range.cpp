#include "inbox/http/byte_range.hpp"

#include <charconv>

namespace inbox::http {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Digits only; nullopt-like false for anything else (signs, spaces, overflow).
bool parse_number(std::string_view text, std::uint64_t& out) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

ByteRange parse_byte_range(std::string_view header, std::uint64_t size) noexcept {
    ByteRange range;
    header = trim(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit) return range;
    const auto spec = trim(header.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return range;  // several ranges: the whole body instead
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return range;
    const auto first_text = trim(spec.substr(0, dash));
    const auto last_text = trim(spec.substr(dash + 1));

    if (first_text.empty()) {  // the last N bytes
        std::uint64_t suffix = 0;
        if (!parse_number(last_text, suffix)) return range;
        if (suffix == 0 || size == 0) {
            range.kind = ByteRange::Kind::unsatisfiable;
            return range;
        }
        range.kind = ByteRange::Kind::satisfiable;
        range.first = suffix >= size ? 0 : size - suffix;
        range.last = size - 1;
        return range;
    }
    std::uint64_t first = 0;
    if (!parse_number(first_text, first)) return range;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
        std::uint64_t asked = 0;
        if (!parse_number(last_text, asked) || asked < first) return range;  // invalid: ignored
        last = std::min(asked, last);
    }
    if (first >= size) {
        range.kind = ByteRange::Kind::unsatisfiable;
        return range;
    }
    range.kind = ByteRange::Kind::satisfiable;
    range.first = first;
    range.last = last;
    return range;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept {
    auto list = trim(if_none_match);
    if (list == "*") return true;
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto candidate = trim(list.substr(0, comma));
        if (candidate.substr(0, 2) == "W/") candidate.remove_prefix(2);
        if (candidate == etag) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace inbox::http
