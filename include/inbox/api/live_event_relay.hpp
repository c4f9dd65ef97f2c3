#pragma once
// Turns the NOTIFY payloads of committed changes (storage/live_notice.hpp) into live events on this instance's
// event bus: it loads the changed messages and conversations and publishes them in their API.md shapes. Nothing
// is loaded while no client listens.
//
// Changes are published in the order they committed: one drain at a time takes every notice heard so far, folds
// them per account and publishes them, so a message's `message.created` never follows its `message.updated`, and a
// burst costs one load per account instead of one per transaction.
#include "inbox/storage/live_notice.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <mutex>
#include <string>
#include <vector>

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
    boost::asio::awaitable<void> drain();

    boost::asio::any_io_executor executor_;
    storage::InboxRepository& inbox_;
    services::EventBus& bus_;
    std::mutex mutex_;
    std::vector<storage::LiveNotice> pending_;  // in commit order; guarded by mutex_
    bool draining_ = false;                     // a drain is running or spawned; guarded by mutex_
};

}  // namespace inbox::api
