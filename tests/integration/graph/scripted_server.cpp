#include "scripted_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace inbox::graph::testing {

ScriptedServer::ScriptedServer(std::vector<int> answers_before_close) : script_(std::move(answers_before_close)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("scripted server: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    {
        const std::lock_guard lock(mutex_);
        for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // wakes blocked reads
    }
    for (auto& thread : threads_) thread.join();
    ::close(listen_fd_);
}

void ScriptedServer::accept_loop() {
    for (int index = 0;; ++index) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0 || stopping_) {
            if (fd >= 0) ::close(fd);
            return;
        }
        ++accepted_;
        const int answers = index < static_cast<int>(script_.size()) ? script_[index] : -1;
        const std::lock_guard lock(mutex_);
        open_fds_.push_back(fd);
        threads_.emplace_back([this, fd, answers] { serve(fd, answers); });
    }
}

void ScriptedServer::serve(int fd, int answers_before_close) {
    static constexpr std::string_view kResponse =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    std::string pending;
    char buffer[4096];
    for (int answered = 0;;) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        bool closed = false;
        // Requests here have no body: each ends at the blank line.
        for (auto end = pending.find("\r\n\r\n"); end != std::string::npos; end = pending.find("\r\n\r\n")) {
            pending.erase(0, end + 4);
            if (answers_before_close >= 0 && answered >= answers_before_close) {
                closed = true;
                break;
            }
            ++answered;
            ++answered_;  // before sending: the client may check the count as soon as it has the response
            ::send(fd, kResponse.data(), kResponse.size(), MSG_NOSIGNAL);
        }
        if (closed) break;
    }
    const std::lock_guard lock(mutex_);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
}

}  // namespace inbox::graph::testing
