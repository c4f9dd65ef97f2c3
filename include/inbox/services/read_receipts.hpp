#pragma once
// Read receipts by the account's policy, and typing indicators (API.md Part 2, "Read receipts and typing"):
// `on_open` sends one when an agent opens the conversation (POST /conversations/{id}/read), `on_reply` just before
// our next send in it, `never` none. A receipt goes out at most once per newest inbound message whichever
// trigger sends it (ReceiptRepository's claim), and never fails the request it rides on: failures are counted
// (inbox_read_receipts_total) and the claim given back for a later trigger. Typing (POST
// /conversations/{id}/typing) sends the receipt with a typing indicator, at most once per 20 s per conversation,
// inside the free window and unless the policy is `never`.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "inbox/domain/time.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::graph {
class GraphApi;
}
namespace inbox::observability {
class Counter;
class MetricsRegistry;
}  // namespace inbox::observability
namespace inbox::storage {
class ReceiptRepository;
struct ReceiptContext;
struct SendTarget;
}  // namespace inbox::storage

namespace inbox::services {

enum class TypingOutcome { sent, skipped, not_found };


class ReadReceipts {
public:
    using Clock = std::function<domain::TimePoint()>;

    ReadReceipts(
        storage::ReceiptRepository& receipts, graph::GraphApi& graph, observability::MetricsRegistry& metrics,
        Clock clock = [] { return std::chrono::system_clock::now(); });

    // After the agent opened (marked read) the conversation. Never throws.
    boost::asio::awaitable<void> after_open(std::string user_id, std::string conversation_id);
    // Beside one of our sends, whose insert claimed the receipt of `wamid` (policy on_reply). Never throws.
    boost::asio::awaitable<void> send_claimed(storage::SendTarget target, std::string wamid);
    boost::asio::awaitable<TypingOutcome> typing(std::string user_id, std::string conversation_id);

    // after_open / send_claimed in the background on `executor`: the request they ride on does not wait for Meta.
    void start_after_open(boost::asio::any_io_executor executor, std::string user_id, std::string conversation_id);
    void start_claimed(boost::asio::any_io_executor executor, storage::SendTarget target);
    // Background receipts not finished yet (a draining server waits for them).
    std::size_t running() const noexcept { return running_.load(std::memory_order_acquire); }

private:
    boost::asio::awaitable<void> receipt_if(const char* trigger, const char* policy, std::string user_id,
                                            std::string conversation_id);
    boost::asio::awaitable<void> send_receipt(const char* trigger, const storage::ReceiptContext& context);
    boost::asio::awaitable<TypingOutcome> send_typing(const storage::ReceiptContext& context);
    void count(const std::string& trigger, const std::string& outcome);

    storage::ReceiptRepository& receipts_;
    graph::GraphApi& graph_;
    observability::MetricsRegistry& metrics_;
    Clock clock_;
    std::atomic<std::size_t> running_{0};
};

}  // namespace inbox::services
