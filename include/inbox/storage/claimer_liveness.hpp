#pragma once
// This process's liveness as a claimer of shared work (webhook events, jobs), told to every instance through
// Postgres: a dedicated connection holds a session-level advisory lock under a key of this process's own, and
// claims record that key (migration 0005). When the process dies, the kernel closes its sockets, Postgres ends
// the session and releases the lock, and the claims are visibly dead at once. A live claimer keeps its claims
// however slow its work is. A lost connection is re-established with back-off and the lock taken again.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace inbox::observability {
class MetricsRegistry;
}

namespace inbox::storage {

// The advisory-lock namespace of claimer keys (pg_advisory_lock(int4, int4)'s first key), also in migration 0005.
inline constexpr std::int32_t kClaimerLockNamespace = 1364283729;

class ClaimerLiveness {
public:
    ClaimerLiveness(std::string database_url, observability::MetricsRegistry& metrics);
    ~ClaimerLiveness();  // stops: the lock is released and this process's claims are free for others
    ClaimerLiveness(const ClaimerLiveness&) = delete;
    ClaimerLiveness& operator=(const ClaimerLiveness&) = delete;

    // Connects on its own thread (Postgres may be down at start: it keeps trying).
    void start();
    void stop();

    // The key claims record. Fixed for the process, unless another instance took it while this one was
    // disconnected (then a new one is drawn).
    std::int32_t key() const noexcept { return key_; }
    // True while the lock is held (tests wait for it).
    bool held() const noexcept { return *held_; }

private:
    void run();
    // Sleeps up to `duration`, or less when stop() is called; answers false once stopping.
    bool pause(std::chrono::milliseconds duration);

    std::string database_url_;
    std::atomic<std::int32_t> key_;
    // Shared with the /metrics callback, which may outlive this object in the registry.
    std::shared_ptr<std::atomic<bool>> held_ = std::make_shared<std::atomic<bool>>(false);
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace inbox::storage
