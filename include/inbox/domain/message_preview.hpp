#pragma once
// The one-line preview the conversation list shows for a message (`last_message_preview`).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::domain {

inline constexpr std::size_t kPreviewMaxCharacters = 200;

// At most `max_characters` code points of `text`, cut on a UTF-8 boundary (continuation bytes are never split).
std::string truncate_utf8(std::string_view text, std::size_t max_characters);

// The message's text truncated to kPreviewMaxCharacters, or `[<type>]` (`[location]`, `[image]`...) when it has no
// text or an empty one.
std::string message_preview(std::string_view type, const std::optional<std::string>& text);

}  // namespace inbox::domain
