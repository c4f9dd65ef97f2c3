#pragma once
// Counting and cutting UTF-8 text by characters (code points), as Meta's limits are stated.
#include <cstddef>
#include <string>
#include <string_view>

namespace inbox::domain {

// Code points of `text`: every byte that is not a continuation byte starts one (malformed input is counted, not
// rejected; request bodies are validated UTF-8 before they get here).
std::size_t utf8_length(std::string_view text) noexcept;

// At most `max_characters` code points of `text`, cut on a UTF-8 boundary (continuation bytes are never split).
std::string truncate_utf8(std::string_view text, std::size_t max_characters);

}  // namespace inbox::domain
