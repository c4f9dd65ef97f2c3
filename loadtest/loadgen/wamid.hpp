#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::loadgen {

struct TextSpan {
    std::size_t offset = 0;
    std::size_t length = 0;
};

// Spans of the values `wamid.XXX` of every `"id": "wamid.XXX"` member in a JSON text (the span covers the
// value between its quotes). A plain scan, no JSON parsing: wamids are base64-like and never escaped.
std::vector<TextSpan> find_wamid_values(std::string_view json_text);

// A wamid that no other request of this run (run_id) or of another run uses: `slot` distinguishes the
// distinct wamids of one request body, `seq` the requests.
std::string make_unique_wamid(std::uint64_t run_id, std::uint64_t seq, std::size_t slot);

}  // namespace inbox::loadgen
