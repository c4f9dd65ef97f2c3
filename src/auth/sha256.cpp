#include "inbox/auth/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "inbox/auth/hex.hpp"

namespace inbox::auth {

Sha256Digest sha256(std::string_view bytes) {
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size()) {
        throw std::runtime_error("sha256: OpenSSL EVP_Digest failed");
    }
    return digest;
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

}  // namespace inbox::auth
