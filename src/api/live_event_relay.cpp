#include "inbox/api/live_event_relay.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/domain/free_window.hpp"
#include "inbox/services/event_bus.hpp"
#include "inbox/storage/inbox_repository.hpp"
#include "inbox/storage/live_notice.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

namespace inbox::api {
namespace {

boost::asio::awaitable<void> publish_notice(storage::InboxRepository& inbox, services::EventBus& bus,
                                            storage::LiveNotice notice) {
    try {
        auto created = co_await inbox.messages_by_ids(notice.account_id, notice.created_message_ids);
        for (const auto& message : created) bus.publish({notice.account_id, "message.created", message_json(message)});
        auto updated = co_await inbox.messages_by_ids(notice.account_id, notice.updated_message_ids);
        for (const auto& message : updated) bus.publish({notice.account_id, "message.updated", message_json(message)});
        auto conversations = co_await inbox.conversations_by_ids(notice.account_id, notice.conversation_ids);
        auto now = std::chrono::system_clock::now();
        for (const auto& conversation : conversations) {
            services::ConversationView view{conversation, domain::free_window(conversation.last_inbound_at, now)};
            bus.publish({notice.account_id, "conversation.updated", conversation_json(view)});
        }
    } catch (const std::exception& error) {
        // Live updates are best effort: clients reload on reconnect, the data itself is committed.
        spdlog::warn("live updates: could not load a change of account {}: {}", notice.account_id, error.what());
    }
}

}  // namespace

void LiveEventRelay::relay(const std::string& payload) {
    if (bus_.subscriber_count() == 0) return;
    auto notice = storage::decode_live_notice(payload);
    if (!notice) {
        spdlog::warn("live updates: ignoring a payload that is not a notice");
        return;
    }
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(*notice));
        if (draining_) return;  // the running drain takes it
        draining_ = true;
    }
    // Outside the lock: co_spawn may start the drain inline (dispatch), and the drain takes the lock.
    boost::asio::co_spawn(executor_, drain(), boost::asio::detached);
}

boost::asio::awaitable<void> LiveEventRelay::drain() {
    for (;;) {
        std::vector<storage::LiveNotice> taken;
        {
            std::lock_guard lock(mutex_);
            if (pending_.empty()) {
                draining_ = false;
                co_return;
            }
            taken.swap(pending_);
        }
        auto merged = storage::merge_by_account(taken);
        for (auto& notice : merged) co_await publish_notice(inbox_, bus_, std::move(notice));
    }
}

}  // namespace inbox::api
