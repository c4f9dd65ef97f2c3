#pragma once
// A conversation's last message that a send's outcome could not move at once, because a webhook batch held the
// conversation's row (the outcome never waits for it: docs/ARCHITECTURE.md "Lock order"). Moved a moment later,
// off the request path, by one statement per conversation that waits for the row and holds nothing else; the
// newest message per conversation wins, so a burst of sends to one conversation costs one statement. Retried with
// back-off while Postgres is away. Runs on a strand of its own.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::observability {
class MetricsRegistry;
}
namespace inbox::storage {
class OutboundRepository;
}

namespace inbox::services {

class ConversationTouches {
public:
    ConversationTouches(boost::asio::any_io_executor executor, storage::OutboundRepository& outbound,
                        observability::MetricsRegistry& metrics);
    ~ConversationTouches();
    ConversationTouches(const ConversationTouches&) = delete;
    ConversationTouches& operator=(const ConversationTouches&) = delete;

    // `message_id` (sent at `at`) may be the conversation's last message.
    void touch(std::string account_id, std::string conversation_id, std::string message_id, domain::TimePoint at,
               std::string preview);
    std::size_t pending() const;
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::services
