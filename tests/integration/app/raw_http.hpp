#pragma once
// A minimal blocking HTTP/1.1 client over POSIX sockets, so tests control exactly what goes on the wire (partial
// bodies, timing around signals). One request per connection unless a RawConnection is reused by hand.
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace inbox::testing {

struct HttpResponse {
    int status = 0;                              // 0 when no complete response arrived
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string error;  // empty when a complete response arrived

    std::string header(const std::string& lower_case_name) const {
        auto it = headers.find(lower_case_name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool has_header(const std::string& lower_case_name) const { return headers.count(lower_case_name) > 0; }
    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string describe() const;
};

class RawConnection {
public:
    RawConnection() = default;
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // Connects to 127.0.0.1:port; answers false (with errno's text in last_error()) when refused.
    bool connect(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool send(const std::string& bytes);
    // Reads one response (Content-Length or until EOF) within the timeout.
    HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void close();
    const std::string& last_error() const { return error_; }

private:
    int fd_ = -1;
    std::string buffer_;
    std::string error_;
};

// "GET target" (or any method) on a fresh connection, closed afterwards.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& bearer = "", const std::map<std::string, std::string>& headers = {},
                          const std::string& body = "", std::chrono::milliseconds timeout = std::chrono::seconds(10));

inline HttpResponse http_get(std::uint16_t port, const std::string& target, const std::string& bearer = "") {
    return http_request(port, "GET", target, bearer);
}

// A TCP port on 127.0.0.1 that refuses connections for as long as this object lives (bound, never listening).
class ClosedPort {
public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    std::uint16_t port() const noexcept { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace inbox::testing
