#pragma once
// SHA-256 over data that arrives in pieces (OpenSSL EVP), so a download is hashed without being held in memory.
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace inbox::auth {

class Sha256Stream {
public:
    Sha256Stream();  // throws std::runtime_error if OpenSSL cannot set up the digest
    void update(std::string_view bytes);
    // Lower-case hex of everything updated so far; the stream cannot be updated afterwards.
    std::string finish_hex();

private:
    struct Free {
        void operator()(evp_md_ctx_st* context) const noexcept;
    };
    std::unique_ptr<evp_md_ctx_st, Free> context_;
};

}  // namespace inbox::auth
