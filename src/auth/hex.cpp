#include "inbox/auth/hex.hpp"

namespace inbox::auth {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(std::span<const unsigned char> bytes) {
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const unsigned char byte : bytes) {
        hex.push_back(kHexDigits[byte >> 4]);
        hex.push_back(kHexDigits[byte & 0x0f]);
    }
    return hex;
}

std::string to_hex(std::string_view bytes) {
    return to_hex(std::span{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

bool decode_hex(std::string_view hex, std::span<unsigned char> out) noexcept {
    if (hex.size() != out.size() * 2) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return false;
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return true;
}

}  // namespace inbox::auth
