#pragma once
// A throwaway redis-server owned by one test: started on a loopback port, killed (or frozen) on demand, always
// stopped when the object goes away.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace inbox::testing {

// A loopback port nobody listens on right now: bound once to let the kernel pick it, then closed.
std::uint16_t unused_loopback_port();

class RedisServerProcess {
public:
    explicit RedisServerProcess(std::uint16_t port);
    ~RedisServerProcess();
    RedisServerProcess(const RedisServerProcess&) = delete;
    RedisServerProcess& operator=(const RedisServerProcess&) = delete;

    // Starts redis-server and waits until it accepts connections; throws std::runtime_error if it never does.
    void start();
    // SIGKILL: the server dies without closing anything gracefully.
    void kill();
    // SIGSTOP / SIGCONT: the server keeps its sockets but stops answering.
    void freeze();
    void thaw();

    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace inbox::testing
