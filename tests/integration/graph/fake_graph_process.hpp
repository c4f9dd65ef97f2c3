#pragma once
// The fake-graph binary (docs/FAKE_GRAPH.md) as a child process on a free loopback port. Stopped with SIGTERM
// (SIGKILL if it does not exit) when destroyed.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace inbox::graph::testing {

class FakeGraphProcess {
public:
    // Starts `fake-graph --port 0 <extra_args>` and waits for its "listening on" line; throws std::runtime_error.
    explicit FakeGraphProcess(std::vector<std::string> extra_args = {});
    ~FakeGraphProcess();
    FakeGraphProcess(const FakeGraphProcess&) = delete;
    FakeGraphProcess& operator=(const FakeGraphProcess&) = delete;

    const std::string& base_url() const { return base_url_; }  // http(s)://127.0.0.1:PORT
    std::uint16_t port() const { return port_; }
    // The base URL with another host name for the same port ("localhost", for TLS name checks).
    std::string base_url_as(const std::string& host) const;

private:
    pid_t pid_ = -1;
    std::string base_url_;
    std::uint16_t port_ = 0;
};

}  // namespace inbox::graph::testing
