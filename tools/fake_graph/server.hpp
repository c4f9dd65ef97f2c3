#pragma once
// The fake Graph API server: listens on loopback, serves with N I/O threads until stopped or destroyed.
// Used by main.cpp and, in-process, by tests. No Asio/Beast in this header.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fake_graph/state.hpp"

namespace fake_graph {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the kernel picks a free port
    int threads = 2;
    std::string tls_cert_file;  // both set → HTTPS, both empty → HTTP
    std::string tls_key_file;
    nlohmann::json config = nlohmann::json::object();  // start-up knobs, templates, contacts
};

class Server {
public:
    // Binds, listens and starts the I/O threads; throws std::runtime_error / std::invalid_argument.
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    std::string base_url() const;  // http(s)://host:port
    State& state();

    // Stops accepting and serving, joins the threads. Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fake_graph
