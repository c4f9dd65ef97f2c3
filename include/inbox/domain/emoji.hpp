#pragma once
// What a reaction may carry (API.md Part 2, "Replies, reactions"): one emoji as a person sees it — a single
// grapheme made of an emoji code point with its modifiers (skin tone, variation selector, keycap, tags), zero-width
// -joined sequences of those (👩‍💻, 👨‍👩‍👧), or a flag (two regional indicators). Pure.
#include <string_view>

namespace inbox::domain {

inline constexpr std::size_t kMaxEmojiBytes = 64;  // the longest ZWJ sequences are ~35 bytes

bool is_one_emoji(std::string_view text);

}  // namespace inbox::domain
