#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace inbox::loadgen {

// A target URL that cannot or may not be loaded (not http, malformed, or not on this machine).
class TargetError : public std::runtime_error {
public:
    explicit TargetError(const std::string& message) : std::runtime_error(message) {}
};

struct Target {
    std::string host;  // as written, without IPv6 brackets
    std::uint16_t port = 80;
    std::string host_header;  // host[:port] as sent in Host
    std::string base_path;    // prefix for every scenario path, "" or "/api" (no trailing slash)
};

// Parses http://host[:port][/base]. Throws TargetError.
Target parse_target(std::string_view url);

// True for an IPv4 address in 127.0.0.0/8 or the IPv6 address ::1 (or ::ffff:127.x.y.z), written literally.
bool is_loopback_address(std::string_view address);

// The address to connect to. This machine's policy allows load only against loopback: a literal address
// must be loopback, and a name (localhost) must resolve to loopback addresses only. Throws TargetError.
std::string resolve_loopback(const Target& target);

}  // namespace inbox::loadgen
