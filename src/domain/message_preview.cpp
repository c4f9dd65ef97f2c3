#include "inbox/domain/message_preview.hpp"

namespace inbox::domain {

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
