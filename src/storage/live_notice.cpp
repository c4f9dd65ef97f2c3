#include "inbox/storage/live_notice.hpp"

#include <nlohmann/json.hpp>

namespace inbox::storage {
namespace {

// Below Postgres's 8000-byte limit with room for the envelope; an id is 36 bytes plus quotes and a comma.
constexpr std::size_t kMaxIdsPerPayload = 150;

std::vector<std::string> ids_or_empty(const nlohmann::json& object, const char* key) {
    auto found = object.find(key);
    if (found == object.end() || !found->is_array()) return {};
    std::vector<std::string> ids;
    for (const auto& id : *found) {
        if (id.is_string()) ids.push_back(id.get<std::string>());
    }
    return ids;
}

}  // namespace

std::vector<std::string> encode_live_notice(const LiveNotice& notice) {
    std::vector<std::string> payloads;
    nlohmann::json current;
    std::size_t ids_in_current = 0;
    auto flush = [&] {
        if (ids_in_current == 0) return;
        payloads.push_back(current.dump());
        ids_in_current = 0;
    };
    auto start = [&] {
        current = {{"account_id", notice.account_id},
                   {"created", nlohmann::json::array()},
                   {"updated", nlohmann::json::array()},
                   {"conversations", nlohmann::json::array()}};
        if (notice.jobs_queued) current["jobs"] = true;
    };
    start();
    auto add = [&](const char* key, const std::vector<std::string>& ids) {
        for (const auto& id : ids) {
            if (ids_in_current == kMaxIdsPerPayload) {
                flush();
                start();
            }
            current[key].push_back(id);
            ++ids_in_current;
        }
    };
    add("created", notice.created_message_ids);
    add("updated", notice.updated_message_ids);
    add("conversations", notice.conversation_ids);
    flush();
    return payloads;
}

std::optional<LiveNotice> decode_live_notice(std::string_view payload) {
    auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return std::nullopt;
    auto account = json.find("account_id");
    if (account == json.end() || !account->is_string()) return std::nullopt;
    auto jobs = json.find("jobs");
    return LiveNotice{account->get<std::string>(), ids_or_empty(json, "created"), ids_or_empty(json, "updated"),
                      ids_or_empty(json, "conversations"), jobs != json.end() && jobs->is_boolean() && jobs->get<bool>()};
}

}  // namespace inbox::storage
