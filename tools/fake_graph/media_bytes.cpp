#include "fake_graph/media_bytes.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace fake_graph {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xCBF29CE484222325ULL;
    for (unsigned char c : text) hash = (hash ^ c) * 0x100000001B3ULL;
    return hash;
}

}  // namespace

MediaBytes::MediaBytes(std::string_view media_id) : seed_(fnv1a(media_id)) {}

void MediaBytes::fill(std::uint64_t offset, std::span<char> out) const {
    // Byte p is byte (p % 8) of word p / 8; words are generated independently of each other.
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint64_t position = offset + done;
        const std::uint64_t word = splitmix64(seed_ ^ (position / 8));
        const std::size_t in_word = position % 8;
        const std::size_t take = std::min<std::size_t>(8 - in_word, out.size() - done);
        unsigned char bytes[8];
        for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(word >> (8 * i));
        std::memcpy(out.data() + done, bytes + in_word, take);
        done += take;
    }
}

std::string media_sha256(std::string_view media_id, std::uint64_t size) {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("sha256 init failed");
    const MediaBytes bytes(media_id);
    std::vector<char> chunk(std::min<std::uint64_t>(size, 1 << 20));
    for (std::uint64_t offset = 0; offset < size;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - offset));
        bytes.fill(offset, std::span(chunk.data(), n));
        EVP_DigestUpdate(ctx.get(), chunk.data(), n);
        offset += n;
    }
    std::string digest(32, '\0');
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(digest.data()), &length);
    return digest;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 0xF]);
    }
    return hex;
}

std::string to_base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                       reinterpret_cast<const unsigned char*>(bytes.data()),
                                       static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

}  // namespace fake_graph
