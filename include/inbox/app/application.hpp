#pragma once
// The composition root: builds every long-lived object once from the configuration, owns their lifetimes, serves
// until SIGTERM/SIGINT and drains.
#include "inbox/app/config.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace inbox::app {

struct ServeOptions {
    bool migrate = true;
    std::chrono::seconds drain_timeout{10};
    // Called once the server listens, with the bound port (tests use port 0).
    std::function<void(unsigned short)> on_listening;
};

class Application {
public:
    explicit Application(Config config);
    ~Application();
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;

    // Blocks until a drain completes; answers the process exit code.
    int serve(const ServeOptions& options);
    // Starts a drain as SIGTERM would (tests, embedding).
    void request_stop();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace inbox::app
