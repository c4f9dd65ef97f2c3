#include "inbox/auth/base64.hpp"

#include <array>
#include <cstdint>

namespace inbox::auth {
namespace {

constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using DecodeTable = std::array<std::int8_t, 256>;

constexpr DecodeTable make_decode_table(std::string_view alphabet) {
    DecodeTable table{};
    table.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    }
    return table;
}

constexpr DecodeTable kUrlTable = make_decode_table(kUrlAlphabet);
constexpr DecodeTable kStandardTable = make_decode_table(kStandardAlphabet);

// Decodes unpadded text. A final group of 1 character cannot encode a byte; the bits a final group of 2 or 3
// characters carries beyond its bytes must be zero (RFC 4648 §3.5), which keeps the encoding canonical.
std::optional<std::string> decode_unpadded(std::string_view text, const DecodeTable& table) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string bytes;
    bytes.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t buffer = 0;
    int buffered_bits = 0;
    for (const char c : text) {
        const std::int8_t value = table[static_cast<unsigned char>(c)];
        if (value < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        buffered_bits += 6;
        if (buffered_bits >= 8) {
            buffered_bits -= 8;
            bytes.push_back(static_cast<char>((buffer >> buffered_bits) & 0xff));
        }
    }
    if ((buffer & ((1u << buffered_bits) - 1)) != 0) return std::nullopt;
    return bytes;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string text;
    text.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t buffer = 0;
    int buffered_bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        buffered_bits += 8;
        while (buffered_bits >= 6) {
            buffered_bits -= 6;
            text.push_back(kUrlAlphabet[(buffer >> buffered_bits) & 0x3f]);
        }
    }
    if (buffered_bits > 0) text.push_back(kUrlAlphabet[(buffer << (6 - buffered_bits)) & 0x3f]);
    return text;
}

std::optional<std::string> base64url_decode(std::string_view text) { return decode_unpadded(text, kUrlTable); }

std::optional<std::string> base64_decode(std::string_view text) {
    if (!text.empty() && text.back() == '=') {
        if (text.size() % 4 != 0) return std::nullopt;
        text.remove_suffix(1);
        if (!text.empty() && text.back() == '=') text.remove_suffix(1);
        // "xx==" leaves 2 characters of the last group and "xxx=" leaves 3; anything else had too much padding.
        if (text.size() % 4 < 2) return std::nullopt;
    }
    return decode_unpadded(text, kStandardTable);
}

}  // namespace inbox::auth
