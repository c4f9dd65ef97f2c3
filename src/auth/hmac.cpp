#include "inbox/auth/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <limits>
#include <stdexcept>

namespace inbox::auth {

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
    if (key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw std::invalid_argument("hmac_sha256: key too long");
    }
    // OpenSSL refuses a null key pointer even with length 0; an empty key is still a valid HMAC key.
    static constexpr unsigned char kEmpty = 0;
    const void* key_data = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
    const auto* message_data = message.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(message.data());

    Sha256Digest digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), message_data, message.size(), digest.data(),
             &length) == nullptr ||
        length != digest.size()) {
        throw std::runtime_error("hmac_sha256: OpenSSL HMAC failed");
    }
    return digest;
}

bool digests_equal(const Sha256Digest& a, const Sha256Digest& b) noexcept {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace inbox::auth
