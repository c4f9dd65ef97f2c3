// Boost's assertions in the fuzz build (BOOST_ENABLE_ASSERT_HANDLER): fatal, as assert() is, except one that Boost
// itself removed as wrong. Beast 1.81's parse_chunk_header asserts n >= 5 where n can be 4: a chunked body that is
// only its last chunk and a trailer, arriving a byte at a time. The code after it handles that case (boostorg/beast
// PR #2861, Boost 1.86); only builds with assertions (Debug, such as the ASan test build) abort on it.
#include <boost/assert.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
    if (std::string_view(expr) == "n >= 5" && std::string_view(file).ends_with("/beast/http/impl/basic_parser.ipp")) {
        return;
    }
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
    std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
    std::abort();
}

}  // namespace boost
