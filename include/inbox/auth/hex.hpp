#pragma once
// Hexadecimal encoding of raw bytes (signatures, digests, random tokens).
#include <span>
#include <string>
#include <string_view>

namespace inbox::auth {

// Lower-case hex, two characters per byte.
std::string to_hex(std::span<const unsigned char> bytes);
std::string to_hex(std::string_view bytes);

// Decodes exactly out.size() bytes from 2 * out.size() hex digits (either case). Returns false, leaving `out`
// unspecified, on any other length or a non-hex character.
bool decode_hex(std::string_view hex, std::span<unsigned char> out) noexcept;

}  // namespace inbox::auth
