#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadgen/scenario.hpp"

namespace inbox::loadgen {

// An HTTP/1.1 request as bytes on the wire: request line, Host, the given headers, Content-Length when
// there is a body, then the body. Written in one piece so the request leaves in one segment.
std::string serialize_request(std::string_view method, std::string_view target, std::string_view host,
                              const std::vector<std::pair<std::string, std::string>>& headers, const std::string* body);

// Turns a scenario request into wire bytes for one send: placeholders filled (id lists drawn from the
// seeded RNG), unique wamids rewritten, and the final body signed. Not thread-safe: one per scheduler.
class RequestRenderer {
public:
    RequestRenderer(const Scenario& scenario, std::string host_header, std::string base_path, std::uint64_t seed,
                    std::uint64_t run_id);

    // `seq` numbers the request in the run; `now_unix` is its scheduled send time in Unix seconds.
    std::string render(std::size_t request_index, std::uint64_t seq, std::int64_t now_unix);

private:
    const Scenario& scenario_;
    std::string host_header_;
    std::string base_path_;
    std::mt19937_64 rng_;
    std::uint64_t run_id_;
};

}  // namespace inbox::loadgen
