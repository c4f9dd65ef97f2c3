#include "raw_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace inbox::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::string trim(const std::string& text) {
    auto start = text.find_first_not_of(" \t");
    if (start == std::string::npos) return {};
    auto end = text.find_last_not_of(" \t\r");
    return text.substr(start, end - start + 1);
}

}  // namespace

std::string HttpResponse::describe() const {
    std::string text = "status " + std::to_string(status);
    if (!error.empty()) text += " error '" + error + "'";
    return text + " body: " + body;
}

RawConnection::~RawConnection() { close(); }

void RawConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
}

bool RawConnection::connect(std::uint16_t port, std::chrono::milliseconds timeout) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
        error_ = std::strerror(errno);
        return false;
    }
    auto address = loopback(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            error_ = std::strerror(errno);
            close();
            return false;
        }
        pollfd pfd{fd_, POLLOUT, 0};
        if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) {
            error_ = "connect timed out";
            close();
            return false;
        }
        int so_error = 0;
        socklen_t length = sizeof so_error;
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &length);
        if (so_error != 0) {
            error_ = std::strerror(so_error);
            close();
            return false;
        }
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

bool RawConnection::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                pollfd pfd{fd_, POLLOUT, 0};
                poll(&pfd, 1, 1000);
                continue;
            }
            error_ = std::strerror(errno);
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

HttpResponse RawConnection::read_response(std::chrono::milliseconds timeout) {
    HttpResponse response;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool eof = false;
    // Reads more bytes into buffer_; false on timeout or error (EOF sets `eof`).
    auto fill = [&]() -> bool {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            response.error = "timed out";
            return false;
        }
        pollfd pfd{fd_, POLLIN, 0};
        int ready = poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) return true;
        if (ready == 0) {
            response.error = "timed out";
            return false;
        }
        char chunk[8192];
        auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) return true;
            response.error = std::strerror(errno);
            return false;
        }
        if (n == 0) {
            eof = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    };
    if (fd_ < 0) {
        response.error = "not connected";
        return response;
    }

    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill()) {
            if (eof) response.error = buffer_.empty() ? "connection closed" : "connection closed inside headers";
            return response;
        }
    }
    auto head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
        response.error = "bad status line: " + status_line;
        return response;
    }
    int status = std::stoi(status_line.substr(9, 3));
    std::size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
    while (position < head.size()) {
        auto end = head.find("\r\n", position);
        if (end == std::string::npos) end = head.size();
        auto line = head.substr(position, end - position);
        position = end + 2;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        response.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    std::optional<std::size_t> length;
    if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
        length = std::stoul(it->second);
    }
    if (lower(response.header("transfer-encoding")).find("chunked") != std::string::npos) {
        response.error = "chunked responses are not supported by this test client";
        return response;
    }
    if (length) {
        while (buffer_.size() < *length) {
            if (!fill()) {
                if (eof) response.error = "connection closed inside the body";
                return response;
            }
        }
        response.body = buffer_.substr(0, *length);
        buffer_.erase(0, *length);
    } else {
        while (fill()) {
        }
        if (!eof) return response;
        response.body = std::move(buffer_);
        buffer_.clear();
    }
    response.status = status;
    return response;
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& bearer, const std::map<std::string, std::string>& headers,
                          const std::string& body, std::chrono::milliseconds timeout) {
    RawConnection connection;
    HttpResponse failed;
    if (!connection.connect(port)) {
        failed.error = "connect: " + connection.last_error();
        return failed;
    }
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nConnection: close\r\n";
    if (!bearer.empty()) request += "Authorization: Bearer " + bearer + "\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n" + body;
    if (!connection.send(request)) {
        failed.error = "send: " + connection.last_error();
        return failed;
    }
    return connection.read_response(timeout);
}

ClosedPort::ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        throw std::runtime_error(std::string("ClosedPort: ") + std::strerror(errno));
    }
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
}

ClosedPort::~ClosedPort() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace inbox::testing
