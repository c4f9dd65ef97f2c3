#include "inbox/auth/random.hpp"

#include <openssl/rand.h>

#include <array>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include "inbox/auth/hex.hpp"
#include "inbox/auth/hmac.hpp"

namespace inbox::auth {
namespace {

void fill_random(std::span<unsigned char> out) {
    if (out.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw std::invalid_argument("random: too many bytes requested");
    }
    if (out.empty()) return;
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("random: OpenSSL RAND_bytes failed");
    }
}

// Generated on first use; an exception leaves it uninitialised and the next call tries again.
const std::string& comparison_key() {
    static const std::string key = [] {
        std::array<unsigned char, 32> bytes{};
        fill_random(bytes);
        return std::string(bytes.begin(), bytes.end());
    }();
    return key;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    fill_random(buffer);
    return to_hex(buffer);
}

std::string new_uuid_v4() {
    std::array<unsigned char, 16> bytes{};
    fill_random(bytes);
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    const std::string hex = to_hex(bytes);
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
           hex.substr(20);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    const std::string& key = comparison_key();
    return digests_equal(hmac_sha256(key, a), hmac_sha256(key, b));
}

}  // namespace inbox::auth
