#pragma once
// LISTEN on one Postgres channel from a dedicated connection and thread (a pooled connection cannot wait for
// notifications). Payloads are handed to `on_payload` on the listener's thread; the callback must not block.
// A lost connection is re-established with back-off; notifications sent while it was down are lost, which live
// updates tolerate (clients reload what they show on reconnect).
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace inbox::storage {

class NotificationListener {
public:
    using OnPayload = std::function<void(const std::string& payload)>;

    NotificationListener(std::string database_url, std::string channel, OnPayload on_payload);
    ~NotificationListener();  // stops and joins
    NotificationListener(const NotificationListener&) = delete;
    NotificationListener& operator=(const NotificationListener&) = delete;

    void start();
    void stop();
    // True while LISTEN is in effect (tests wait for it before notifying).
    bool listening() const noexcept { return listening_; }

private:
    void run();

    std::string database_url_;
    std::string channel_;
    OnPayload on_payload_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> listening_{false};
    std::thread thread_;
};

}  // namespace inbox::storage
