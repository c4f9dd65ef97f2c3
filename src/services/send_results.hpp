#pragma once
// The SendResult shapes SendService's files answer with. Internal to src/services/.
#include <algorithm>

#include "inbox/services/send_service.hpp"

namespace inbox::services::send_results {

inline SendResult answer(SendResult::Outcome outcome) {
    SendResult result;
    result.outcome = outcome;
    return result;
}

inline SendResult with_message(SendResult::Outcome outcome, domain::Message message) {
    auto result = answer(outcome);
    result.message = std::move(message);
    return result;
}

inline SendResult unavailable(int retry_after_seconds, std::optional<domain::Message> message) {
    auto result = answer(SendResult::Outcome::unavailable);
    result.retry_after_seconds = std::max(1, retry_after_seconds);
    result.message = std::move(message);
    return result;
}

// not_found or validation_failed with the reason the client sees.
inline SendResult answer_because(SendResult::Outcome outcome, std::string problem) {
    auto result = answer(outcome);
    result.problem = std::move(problem);
    return result;
}

}  // namespace inbox::services::send_results
