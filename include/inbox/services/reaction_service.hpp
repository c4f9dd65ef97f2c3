#pragma once
// Reacting to a message (API.md Part 2, "Replies, reactions"): one emoji per user on a message WhatsApp has,
// inside the customer's 24 h window only, sent to Meta first and then folded onto the message, which the answer
// (and a message.updated to live clients) carries with its reactions. Our reactions are not messages of the thread.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>

#include "inbox/domain/message.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/graph/graph_result.hpp"

namespace inbox::graph {
class GraphApi;
}
namespace inbox::storage {
class ReactionRepository;
}

namespace inbox::services {

struct ReactionResult {
    enum class Outcome {
        reacted,              // 200: `message` with its reactions
        not_found,            // 404
        validation_failed,    // 422: the message has no wa_message_id
        outside_free_window,  // 422: `window_expired_at` (empty: the contact never wrote)
        refused,              // 502: `refusal`
        unavailable,          // 503: `unavailable`
    };
    Outcome outcome = Outcome::not_found;
    std::optional<domain::Message> message;
    std::optional<domain::TimePoint> window_expired_at;
    std::optional<graph::GraphRefusal> refusal;
    std::optional<graph::GraphUnavailable> unavailable;
};

class ReactionService {
public:
    using Clock = std::function<domain::TimePoint()>;

    ReactionService(
        storage::ReactionRepository& reactions, graph::GraphApi& graph,
        Clock clock = [] { return std::chrono::system_clock::now(); })
        : reactions_(reactions), graph_(graph), clock_(std::move(clock)) {}

    // `emoji` is already valid (domain::is_one_emoji) or "" to remove the user's reaction.
    boost::asio::awaitable<ReactionResult> react(std::string user_id, std::string message_id, std::string emoji);

private:
    storage::ReactionRepository& reactions_;
    graph::GraphApi& graph_;
    Clock clock_;
};

}  // namespace inbox::services
