#pragma once
// The one-line preview the conversation list shows for a message (`last_message_preview`).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "inbox/domain/utf8.hpp"

namespace inbox::domain {

inline constexpr std::size_t kPreviewMaxCharacters = 200;

// The message's text truncated to kPreviewMaxCharacters, or `[<type>]` (`[location]`, `[image]`...) when it has no
// text or an empty one.
std::string message_preview(std::string_view type, const std::optional<std::string>& text);

}  // namespace inbox::domain
