#include "inbox/domain/emoji.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace inbox::domain {
namespace {

// Strict UTF-8 to code points; nullopt for anything malformed.
std::optional<std::vector<char32_t>> code_points(std::string_view text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > text.size()) return std::nullopt;
        char32_t value = length == 1 ? lead : lead & (0x7F >> length);
        for (int k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return std::nullopt;
            value = (value << 6) | (next & 0x3F);
        }
        out.push_back(value);
        i += length;
    }
    return out;
}

bool is_regional_indicator(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
bool is_skin_tone(char32_t c) { return c >= 0x1F3FB && c <= 0x1F3FF; }
bool is_modifier(char32_t c) {
    return c == 0xFE0F || c == 0xFE0E || c == 0x20E3 || is_skin_tone(c) || (c >= 0xE0020 && c <= 0xE007F);
}

// Pictographs and symbols that are emoji (by Unicode's Extended_Pictographic ranges, simplified), and the keycap
// bases (#, *, 0-9) that become emoji with U+20E3.
bool is_emoji_base(char32_t c) {
    return c == 0x00A9 || c == 0x00AE || (c >= 0x203C && c <= 0x3299) || (c >= 0x1F000 && c <= 0x1FAFF) ||
           c == '#' || c == '*' || (c >= '0' && c <= '9');
}

}  // namespace

bool is_one_emoji(std::string_view text) {
    if (text.empty() || text.size() > kMaxEmojiBytes) return false;
    const auto points = code_points(text);
    if (!points) return false;
    const auto& c = *points;
    if (c.size() == 2 && is_regional_indicator(c[0]) && is_regional_indicator(c[1])) return true;
    std::size_t i = 0;
    while (true) {
        if (i == c.size() || !is_emoji_base(c[i]) || is_regional_indicator(c[i]) || is_skin_tone(c[i])) return false;
        const bool keycap_base = c[i] < 0x80;
        ++i;
        bool keycap = false;
        while (i < c.size() && is_modifier(c[i])) keycap |= c[i++] == 0x20E3;
        if (keycap_base && !keycap) return false;  // a plain digit or # is not an emoji
        if (i == c.size()) return true;
        if (c[i] != 0x200D) return false;  // a second grapheme
        ++i;
    }
}

}  // namespace inbox::domain
