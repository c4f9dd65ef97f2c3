#include "inbox/auth/sha256_stream.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace inbox::auth {

void Sha256Stream::Free::operator()(evp_md_ctx_st* context) const noexcept { EVP_MD_CTX_free(context); }

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256: cannot initialise the digest");
    }
}

void Sha256Stream::update(std::string_view bytes) {
    if (!context_ || EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error("SHA-256: update failed");
    }
}

std::string Sha256Stream::finish_hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!context_ || EVP_DigestFinal_ex(context_.get(), digest, &length) != 1) {
        throw std::runtime_error("SHA-256: finish failed");
    }
    context_.reset();
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kDigits[digest[i] >> 4];
        hex += kDigits[digest[i] & 0x0F];
    }
    return hex;
}

}  // namespace inbox::auth
