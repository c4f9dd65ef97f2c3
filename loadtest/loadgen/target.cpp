#include "loadgen/target.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <memory>

namespace inbox::loadgen {
namespace {

constexpr std::string_view kPolicy =
    "load tests may only target loopback addresses (127.0.0.0/8 or ::1) on this machine";

bool is_loopback_v6(const in6_addr& address) {
    if (IN6_IS_ADDR_LOOPBACK(&address)) return true;
    return IN6_IS_ADDR_V4MAPPED(&address) && address.s6_addr[12] == 127;
}

}  // namespace

Target parse_target(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme) {
        throw TargetError("--target must be an http:// URL (TLS is not supported): " + std::string(url));
    }
    std::string_view rest = url.substr(kScheme.size());
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (path.find_first_of("?#") != std::string_view::npos) {
        throw TargetError("--target must not have a query or fragment: " + std::string(url));
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (authority.find('@') != std::string_view::npos) throw TargetError("--target must not contain user info");

    Target target;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) throw TargetError("--target has an unterminated IPv6 address");
        target.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw TargetError("--target: unexpected text after the IPv6 address");
            port_text = after.substr(1);
        }
    } else {
        const std::size_t colon = authority.rfind(':');
        target.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (target.host.empty()) throw TargetError("--target has no host: " + std::string(url));
    if (!port_text.empty()) {
        unsigned port = 0;
        const auto result = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (result.ec != std::errc() || result.ptr != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            throw TargetError("--target has an invalid port: " + std::string(port_text));
        }
        target.port = static_cast<std::uint16_t>(port);
    }
    target.host_header = std::string(authority);
    target.base_path = std::string(path);
    return target;
}

bool is_loopback_address(std::string_view address) {
    const std::string text(address);
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return is_loopback_v6(v6);
    return false;
}

std::string resolve_loopback(const Target& target) {
    in_addr v4{};
    in6_addr v6{};
    const bool literal =
        inet_pton(AF_INET, target.host.c_str(), &v4) == 1 || inet_pton(AF_INET6, target.host.c_str(), &v6) == 1;
    if (literal) {
        if (!is_loopback_address(target.host)) {
            throw TargetError("refusing to load " + target.host + ": " + std::string(kPolicy));
        }
        return target.host;
    }

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    if (const int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &raw); rc != 0) {
        throw TargetError("cannot resolve " + target.host + ": " + gai_strerror(rc));
    }
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> results(raw, &freeaddrinfo);
    std::string first;
    for (const addrinfo* info = results.get(); info != nullptr; info = info->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        if (info->ai_family == AF_INET) {
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(info->ai_addr)->sin_addr, text, sizeof text);
        } else if (info->ai_family == AF_INET6) {
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(info->ai_addr)->sin6_addr, text, sizeof text);
        } else {
            continue;
        }
        if (!is_loopback_address(text)) {
            throw TargetError("refusing to load " + target.host + " (resolves to " + text +
                              "): " + std::string(kPolicy));
        }
        if (first.empty()) first = text;
    }
    if (first.empty()) throw TargetError("cannot resolve " + target.host + " to an address");
    return first;
}

}  // namespace inbox::loadgen
