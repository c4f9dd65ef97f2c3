#pragma once
// Turns the NOTIFY payloads of committed changes (storage/live_notice.hpp) into live events on this instance's
// event bus: it loads the changed messages and conversations and publishes them in their API.md shapes. Nothing
// is loaded while no client listens.
#include <boost/asio/any_io_executor.hpp>

#include <string>

namespace inbox::services {
class EventBus;
}
namespace inbox::storage {
class InboxRepository;
}

namespace inbox::api {

class LiveEventRelay {
public:
    LiveEventRelay(boost::asio::any_io_executor executor, storage::InboxRepository& inbox, services::EventBus& bus)
        : executor_(std::move(executor)), inbox_(inbox), bus_(bus) {}

    // Called on the listener's thread; the loading and publishing run on the executor.
    void relay(const std::string& payload);

private:
    boost::asio::any_io_executor executor_;
    storage::InboxRepository& inbox_;
    services::EventBus& bus_;
};

}  // namespace inbox::api
