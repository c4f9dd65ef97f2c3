#pragma once
// A minimal blocking HTTP/1.1 client over a plain socket, for integration tests that need exact control of the
// bytes sent (signatures over raw bodies, framing errors) and keep-alive on one connection.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace inbox::testing {

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& name) const;
};

class RawHttpConnection {
public:
    explicit RawHttpConnection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~RawHttpConnection();
    RawHttpConnection(const RawHttpConnection&) = delete;
    RawHttpConnection& operator=(const RawHttpConnection&) = delete;

    void send_raw(const std::string& bytes);
    // Reads one response; throws std::runtime_error when the connection closes first or on timeout.
    RawResponse read_response(bool to_head_request = false);
    RawResponse exchange(const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = {});
    // True when the server has closed the connection (reads EOF within the timeout).
    bool closed_by_peer(std::chrono::milliseconds wait);

private:
    int fd_ = -1;
    std::string buffer_;
};

std::string build_request(const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body);

// One request on a fresh connection.
RawResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = {});

std::string read_file(const std::string& path);
// The fixtures directory: $INBOX_FIXTURES_DIR, else ../shared/fixtures beside the repository.
std::string fixtures_dir();

}  // namespace inbox::testing
