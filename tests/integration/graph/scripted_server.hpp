#pragma once
// A tiny HTTP/1.1 server on loopback with a per-connection script, for what fake-graph cannot stage: a keep-alive
// connection that the server drops right when the next request arrives (the "closed while idle" race).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace inbox::graph::testing {

class ScriptedServer {
public:
    // Connection i (0-based) answers answers_before_close[i] requests with 200 "ok", then closes the socket when
    // the next request arrives, without answering. Connections past the list answer every request.
    explicit ScriptedServer(std::vector<int> answers_before_close);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int accepted() const { return accepted_.load(); }
    int answered() const { return answered_.load(); }

private:
    void accept_loop();
    void serve(int fd, int answers_before_close);

    std::vector<int> script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    std::atomic<int> answered_{0};
    std::mutex mutex_;
    std::vector<int> open_fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace inbox::graph::testing
