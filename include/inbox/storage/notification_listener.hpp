#pragma once
// LISTEN on one Postgres channel from a dedicated connection and thread (a pooled connection cannot wait for
// notifications). Payloads are handed to `on_payload` on the listener's thread; the callback must not block.
// The connection has connect and TCP keepalive limits (connection_string.hpp), and a query every few seconds
// proves it alive: a half-open socket (a database host that vanished) is noticed within seconds, not hours.
// A lost connection is re-established with back-off; notifications sent while it was down are lost, so
// `on_reconnected` runs after every LISTEN but the first (live clients reload what they show on reconnect; event
// streams re-check their membership).
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace inbox::storage {

class NotificationListener {
public:
    using OnPayload = std::function<void(const std::string& payload)>;

    NotificationListener(std::string database_url, std::string channel, OnPayload on_payload,
                         std::function<void()> on_reconnected = {});
    ~NotificationListener();  // stops and joins
    NotificationListener(const NotificationListener&) = delete;
    NotificationListener& operator=(const NotificationListener&) = delete;

    void start();
    // Asks the thread to end and returns at once: safe on an I/O thread (drain).
    void request_stop() noexcept { stopping_ = true; }
    // request_stop(), then joins the thread (at most ~200 ms): never from an I/O thread.
    void stop();
    // True while LISTEN is in effect (tests wait for it before notifying).
    bool listening() const noexcept { return listening_; }

private:
    void run();

    std::string database_url_;
    std::string channel_;
    OnPayload on_payload_;
    std::function<void()> on_reconnected_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> listening_{false};
    std::thread thread_;
};

}  // namespace inbox::storage
