#include "inbox/storage/notification_listener.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "inbox/storage/connection_string.hpp"

namespace inbox::storage {
namespace {

class Receiver final : public pqxx::notification_receiver {
public:
    Receiver(pqxx::connection_base& connection, const std::string& channel,
             const NotificationListener::OnPayload& on_payload)
        : pqxx::notification_receiver(connection, channel), on_payload_(on_payload) {}

    void operator()(const std::string& payload, int) override { on_payload_(payload); }

private:
    const NotificationListener::OnPayload& on_payload_;
};

// How often a silent LISTEN connection proves it is alive.
constexpr auto kProbeEvery = std::chrono::seconds(5);

}  // namespace

NotificationListener::NotificationListener(std::string database_url, std::string channel, OnPayload on_payload,
                                           std::function<void()> on_reconnected)
    : database_url_(with_connection_limits(std::move(database_url))),
      channel_(std::move(channel)),
      on_payload_(std::move(on_payload)),
      on_reconnected_(std::move(on_reconnected)) {}

NotificationListener::~NotificationListener() { stop(); }

void NotificationListener::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void NotificationListener::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

void NotificationListener::run() {
    auto backoff = std::chrono::milliseconds(100);
    bool listened_before = false;
    while (!stopping_) {
        try {
            pqxx::connection connection(database_url_);
            Receiver receiver(connection, channel_, on_payload_);
            connection.get_notifs();  // the receiver's LISTEN is sent lazily: make it take effect now
            listening_ = true;
            backoff = std::chrono::milliseconds(100);
            if (listened_before && on_reconnected_) on_reconnected_();
            listened_before = true;
            auto next_probe = std::chrono::steady_clock::now() + kProbeEvery;
            // Wakes at least every 200 ms to notice stop().
            while (!stopping_) {
                connection.await_notification(0, 200'000);
                if (std::chrono::steady_clock::now() < next_probe) continue;
                // A round trip on a silent connection: a vanished server fails it (TCP user timeout), where waiting
                // for notifications alone would wait forever.
                pqxx::nontransaction probe(connection);
                probe.exec("SELECT 1");
                next_probe = std::chrono::steady_clock::now() + kProbeEvery;
            }
        } catch (const std::exception& error) {
            listening_ = false;
            if (stopping_) break;
            spdlog::warn("live updates: LISTEN {} failed, retrying in {} ms: {}", channel_, backoff.count(),
                         error.what());
            for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stopping_;
                 waited += std::chrono::milliseconds(50)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }
    listening_ = false;
}

}  // namespace inbox::storage
