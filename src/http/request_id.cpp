#include "inbox/http/request_id.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace inbox::http {

bool is_acceptable_request_id(std::string_view value) {
    if (value.empty() || value.size() > 128) return false;
    return std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}

std::string accept_or_generate_request_id(std::string_view incoming) {
    if (is_acceptable_request_id(incoming)) return std::string(incoming);
    // Correlation only, not a secret: a per-thread PRNG is enough and costs nothing.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string id(32, '0');
    for (std::size_t i = 0; i < id.size(); i += 16) {
        auto bits = rng();
        for (std::size_t j = 0; j < 16; ++j) {
            id[i + j] = kHex[bits & 0xF];
            bits >>= 4;
        }
    }
    return id;
}

}  // namespace inbox::http
