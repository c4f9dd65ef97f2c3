#include "inbox/domain/message_preview.hpp"

namespace inbox::domain {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

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

std::string message_preview(std::string_view type, const std::optional<std::string>& text) {
    if (text && !text->empty()) return truncate_utf8(*text, kPreviewMaxCharacters);
    std::string placeholder;
    placeholder.reserve(type.size() + 2);
    placeholder += '[';
    placeholder += type;
    placeholder += ']';
    return placeholder;
}

}  // namespace inbox::domain
