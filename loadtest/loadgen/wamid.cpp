#include "loadgen/wamid.hpp"

#include <cstdio>

namespace inbox::loadgen {
namespace {

constexpr std::string_view kIdKey = "\"id\"";
constexpr std::string_view kWamidPrefix = "wamid.";

std::size_t skip_whitespace(std::string_view text, std::size_t pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
        ++pos;
    }
    return pos;
}

}  // namespace

std::vector<TextSpan> find_wamid_values(std::string_view json_text) {
    std::vector<TextSpan> spans;
    std::size_t pos = 0;
    while ((pos = json_text.find(kIdKey, pos)) != std::string_view::npos) {
        std::size_t cursor = skip_whitespace(json_text, pos + kIdKey.size());
        pos += kIdKey.size();
        if (cursor >= json_text.size() || json_text[cursor] != ':') continue;
        cursor = skip_whitespace(json_text, cursor + 1);
        if (cursor >= json_text.size() || json_text[cursor] != '"') continue;
        const std::size_t value_begin = cursor + 1;
        if (json_text.substr(value_begin, kWamidPrefix.size()) != kWamidPrefix) continue;
        const std::size_t value_end = json_text.find('"', value_begin);
        if (value_end == std::string_view::npos) break;
        spans.push_back({value_begin, value_end - value_begin});
        pos = value_end + 1;
    }
    return spans;
}

std::string make_unique_wamid(std::uint64_t run_id, std::uint64_t seq, std::size_t slot) {
    char buffer[80];
    const int length =
        std::snprintf(buffer, sizeof buffer, "wamid.LG%016llX%012llX%02zX", static_cast<unsigned long long>(run_id),
                      static_cast<unsigned long long>(seq), slot);
    return std::string(buffer, static_cast<std::size_t>(length));
}

}  // namespace inbox::loadgen
