#include "inbox/services/reaction_service.hpp"

#include <spdlog/spdlog.h>

#include "inbox/domain/free_window.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/storage/reaction_repository.hpp"

namespace inbox::services {
namespace {

using Outcome = ReactionResult::Outcome;

ReactionResult answer(Outcome outcome) {
    ReactionResult result;
    result.outcome = outcome;
    return result;
}

}  // namespace

boost::asio::awaitable<ReactionResult> ReactionService::react(std::string user_id, std::string message_id,
                                                              std::string emoji) {
    auto target = co_await reactions_.target(user_id, message_id);
    if (!target) co_return answer(Outcome::not_found);
    if (!target->wa_message_id) co_return answer(Outcome::validation_failed);
    const auto window = domain::free_window(target->last_inbound_at, clock_());
    if (!window.open) {
        auto closed = answer(Outcome::outside_free_window);
        closed.window_expired_at = window.expires_at;
        co_return closed;
    }
    const auto& to = target->target;
    graph::MessageEnvelope envelope{to.recipient_wa_id, std::nullopt, std::nullopt};
    auto sent = co_await graph_.send_reaction(to.phone_number_id, to.access_token, std::move(envelope),
                                              *target->wa_message_id, emoji);
    if (const auto* refusal = sent.refused()) {
        auto refused = answer(Outcome::refused);
        refused.refusal = *refusal;
        co_return refused;
    }
    if (const auto* unavailable = sent.unavailable()) {
        auto later = answer(Outcome::unavailable);
        later.unavailable = *unavailable;
        co_return later;
    }
    auto message = co_await reactions_.record(to.account_id, message_id, user_id, emoji, sent.value().wamid);
    if (!message) co_return answer(Outcome::not_found);  // deleted meanwhile (retention)
    spdlog::debug("reaction of {} on message {} sent as {}", user_id, message_id, sent.value().wamid);
    auto reacted = answer(Outcome::reacted);
    reacted.message = std::move(message);
    co_return reacted;
}

}  // namespace inbox::services
