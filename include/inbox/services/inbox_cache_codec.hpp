#pragma once
// The value formats of the inbox cache entries (JSON text). Decoders answer nullopt for anything unexpected (an
// older format, a truncated value): the caller treats that as a miss.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/domain/conversation.hpp"

namespace inbox::services {

// Times as whole microseconds since the epoch, so a cached row equals the stored one exactly.
std::string encode_conversation(const domain::Conversation& conversation);
std::optional<domain::Conversation> decode_conversation(std::string_view text);

std::string encode_account_ids(const std::vector<std::string>& account_ids);
std::optional<std::vector<std::string>> decode_account_ids(std::string_view text);

}  // namespace inbox::services
