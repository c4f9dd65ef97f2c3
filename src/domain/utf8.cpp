#include "inbox/domain/utf8.hpp"

namespace inbox::domain {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::size_t utf8_length(std::string_view text) noexcept {
    std::size_t characters = 0;
    for (char c : text) characters += is_continuation_byte(c) ? 0 : 1;
    return characters;
}

std::string truncate_utf8(std::string_view text, std::size_t max_characters) {
    // Count lead bytes; the cut goes just before the lead byte of the first character past the limit, so malformed
    // input is cut somewhere too rather than rejected.
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_continuation_byte(text[i])) continue;
        if (characters == max_characters) return std::string(text.substr(0, i));
        ++characters;
    }
    return std::string(text);
}

}  // namespace inbox::domain
