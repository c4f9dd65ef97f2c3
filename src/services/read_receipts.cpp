#include "inbox/services/read_receipts.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "inbox/domain/free_window.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/receipt_repository.hpp"

namespace inbox::services {

ReadReceipts::ReadReceipts(storage::ReceiptRepository& receipts, graph::GraphApi& graph,
                           observability::MetricsRegistry& metrics, Clock clock)
    : receipts_(receipts), graph_(graph), metrics_(metrics), clock_(std::move(clock)) {}

// Not in the coroutines: GCC 12 mishandles braced label lists there (docs/ARCHITECTURE.md).
void ReadReceipts::count(const std::string& trigger, const std::string& outcome) {
    metrics_
        .counter("inbox_read_receipts_total", "Read receipts and typing indicators by trigger and outcome",
                 {{"trigger", trigger}, {"outcome", outcome}})
        .inc();
}

void ReadReceipts::start_after_open(boost::asio::any_io_executor executor, std::string user_id,
                                    std::string conversation_id) {
    running_.fetch_add(1, std::memory_order_acq_rel);
    auto run = [](ReadReceipts& self, std::string user, std::string conversation) -> boost::asio::awaitable<void> {
        co_await self.after_open(std::move(user), std::move(conversation));
        self.running_.fetch_sub(1, std::memory_order_acq_rel);
    };
    boost::asio::co_spawn(executor, run(*this, std::move(user_id), std::move(conversation_id)), boost::asio::detached);
}

void ReadReceipts::start_claimed(boost::asio::any_io_executor executor, storage::SendTarget target) {
    running_.fetch_add(1, std::memory_order_acq_rel);
    auto run = [](ReadReceipts& self, storage::SendTarget to) -> boost::asio::awaitable<void> {
        auto wamid = *to.receipt_wamid;
        co_await self.send_claimed(std::move(to), std::move(wamid));
        self.running_.fetch_sub(1, std::memory_order_acq_rel);
    };
    boost::asio::co_spawn(executor, run(*this, std::move(target)), boost::asio::detached);
}

boost::asio::awaitable<void> ReadReceipts::after_open(std::string user_id, std::string conversation_id) {
    co_await receipt_if("open", "on_open", std::move(user_id), std::move(conversation_id));
}

boost::asio::awaitable<void> ReadReceipts::send_claimed(storage::SendTarget target, std::string wamid) {
    std::string failure;
    try {
        auto marked = co_await graph_.mark_read(target.phone_number_id, target.access_token, wamid, false);
        if (marked) {
            count("reply", "sent");
            co_return;
        }
        count("reply", marked.refused() ? "refused" : "unavailable");
        co_await receipts_.release_receipt(target.conversation_id, wamid);
    } catch (const std::exception& error) {
        failure = error.what();
    }
    if (!failure.empty()) {
        spdlog::warn("read receipt (reply) for conversation {} not sent: {}", target.conversation_id, failure);
        count("reply", "error");
    }
}

// Whatever fails here (Postgres, Meta) is logged and counted, never thrown: the request it rides on goes on.
boost::asio::awaitable<void> ReadReceipts::receipt_if(const char* trigger, const char* policy, std::string user_id,
                                                      std::string conversation_id) {
    std::string failure;
    try {
        auto context = co_await receipts_.context(std::move(user_id), conversation_id);
        if (context && context->policy == policy) co_await send_receipt(trigger, *context);
    } catch (const std::exception& error) {
        failure = error.what();
    }
    if (!failure.empty()) {
        spdlog::warn("read receipt ({}) for conversation {} not sent: {}", trigger, conversation_id, failure);
        count(trigger, "error");
    }
}

boost::asio::awaitable<void> ReadReceipts::send_receipt(const char* trigger, const storage::ReceiptContext& context) {
    const auto& newest = context.newest_inbound_wamid;
    if (!newest || context.receipted_wamid == newest) co_return;  // nothing new to mark read
    const auto& conversation_id = context.target.conversation_id;
    if (!co_await receipts_.claim_receipt(conversation_id, *newest)) co_return;  // another trigger sent it
    auto marked = co_await graph_.mark_read(context.target.phone_number_id, context.target.access_token, *newest,
                                            false);
    if (marked) {
        count(trigger, "sent");
        co_return;
    }
    count(trigger, marked.refused() ? "refused" : "unavailable");
    co_await receipts_.release_receipt(conversation_id, *newest);
}

boost::asio::awaitable<TypingOutcome> ReadReceipts::typing(std::string user_id, std::string conversation_id) {
    auto context = co_await receipts_.context(std::move(user_id), std::move(conversation_id));
    if (!context) co_return TypingOutcome::not_found;
    co_return co_await send_typing(*context);
}

// `never` marks nothing read, so it sends no typing either (the indicator rides on a receipt).
boost::asio::awaitable<TypingOutcome> ReadReceipts::send_typing(const storage::ReceiptContext& context) {
    const auto& newest = context.newest_inbound_wamid;
    const bool window_open = domain::free_window(context.last_inbound_at, clock_()).open;
    if (context.policy == "never" || !newest || !window_open) {
        count("typing", "skipped");
        co_return TypingOutcome::skipped;
    }
    const auto& conversation_id = context.target.conversation_id;
    if (!co_await receipts_.claim_typing(conversation_id)) {
        count("typing", "skipped");
        co_return TypingOutcome::skipped;
    }
    // It marks the newest message read too: later triggers need not send that receipt again.
    const bool receipt_claimed = co_await receipts_.claim_receipt(conversation_id, *newest);
    auto marked = co_await graph_.mark_read(context.target.phone_number_id, context.target.access_token, *newest,
                                            true);
    if (marked) {
        count("typing", "sent");
        co_return TypingOutcome::sent;
    }
    count("typing", marked.refused() ? "refused" : "unavailable");
    co_await receipts_.release_typing(conversation_id);
    if (receipt_claimed) co_await receipts_.release_receipt(conversation_id, *newest);
    co_return TypingOutcome::skipped;
}

}  // namespace inbox::services
