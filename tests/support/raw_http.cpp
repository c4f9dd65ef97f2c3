#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace inbox::testing {

std::string RawResponse::header(const std::string& name) const {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    auto it = headers.find(lower);
    return it == headers.end() ? std::string() : it->second;
}

RawHttpConnection::RawHttpConnection(std::uint16_t port, std::chrono::milliseconds timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

RawHttpConnection::~RawHttpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

void RawHttpConnection::send_raw(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        sent += static_cast<std::size_t>(n);
    }
}

RawResponse RawHttpConnection::read_response(bool to_head_request) {
    auto fill = [this] {
        char chunk[16384];
        auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n <= 0) throw std::runtime_error(n == 0 ? "connection closed before a full response" : "recv timed out");
        buffer_.append(chunk, static_cast<std::size_t>(n));
    };
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) fill();
    RawResponse response;
    std::istringstream head(buffer_.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    response.status = std::stoi(line.substr(line.find(' ') + 1, 3));
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        response.headers[name] = value;
    }
    std::size_t length = 0;
    if (auto it = response.headers.find("content-length"); it != response.headers.end())
        length = std::stoul(it->second);
    // Content-Length describes the body a GET would get: HEAD answers and 304s have none (RFC 9110 §8.6).
    if (to_head_request || response.status == 304) length = 0;
    while (buffer_.size() < header_end + 4 + length) fill();
    response.body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return response;
}

RawResponse RawHttpConnection::exchange(const std::string& method, const std::string& target,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body) {
    send_raw(build_request(method, target, headers, body));
    return read_response(method == "HEAD");
}

bool RawHttpConnection::closed_by_peer(std::chrono::milliseconds wait) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, static_cast<int>(wait.count())) <= 0) return false;
    char byte;
    return ::recv(fd_, &byte, 1, MSG_PEEK) == 0;
}

std::string build_request(const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    return request;
}

RawResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    RawHttpConnection connection(port);
    return connection.exchange(method, target, headers, body);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string fixtures_dir() {
    if (const char* dir = std::getenv("INBOX_FIXTURES_DIR"); dir && *dir) return dir;
    return INBOX_DEFAULT_FIXTURES_DIR;
}

}  // namespace inbox::testing
