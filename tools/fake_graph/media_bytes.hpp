#pragma once
// Deterministic media content: the bytes of a media id are a pure function of (id, offset), so a download is
// produced chunk by chunk and the fake never holds a whole file, whatever its size.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fake_graph {

class MediaBytes {
public:
    explicit MediaBytes(std::string_view media_id);

    // Fills `out` with the bytes at [offset, offset + out.size()).
    void fill(std::uint64_t offset, std::span<char> out) const;

private:
    std::uint64_t seed_;
};

// SHA-256 of the first `size` bytes of a media id, computed by streaming (raw 32 bytes).
std::string media_sha256(std::string_view media_id, std::uint64_t size);

std::string to_hex(std::string_view bytes);
std::string to_base64(std::string_view bytes);

}  // namespace fake_graph
