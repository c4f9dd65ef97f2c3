#pragma once
// The Range request header for one byte range (RFC 9110 §14): "bytes=first-last", "bytes=first-", "bytes=-suffix".
// Pure. Anything this server does not serve as a range — several ranges, other units, a malformed value — is
// `ignored`: the whole representation is sent (RFC 9110 allows ignoring Range).
#include <cstdint>
#include <string_view>

namespace inbox::http {

struct ByteRange {
    enum class Kind { ignored, satisfiable, unsatisfiable };
    Kind kind = Kind::ignored;
    std::uint64_t first = 0;  // satisfiable: inclusive bounds within the size
    std::uint64_t last = 0;

    std::uint64_t length() const noexcept { return last - first + 1; }
};

ByteRange parse_byte_range(std::string_view header, std::uint64_t size) noexcept;

// True when an If-None-Match header value names `etag` (a quoted strong tag) or is "*" (weak comparison, RFC 9110
// §13.1.2: "W/" prefixes are ignored).
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

}  // namespace inbox::http
