#include "loadgen/hmac.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace inbox::loadgen {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &digest_length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(digest_length * 2);
    for (unsigned int i = 0; i < digest_length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0x0f];
    }
    return hex;
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
    return "sha256=" + hmac_sha256_hex(secret, body);
}

}  // namespace inbox::loadgen
