#include "inbox/storage/live_notice.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <unordered_map>
#include <unordered_set>

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

// One list of ids, each kept once in the order first seen (a set beside it: a burst may fold thousands).
struct UniqueIds {
    std::vector<std::string>& ids;
    std::unordered_set<std::string> seen;

    void append(const std::vector<std::string>& more) {
        for (const auto& id : more) {
            if (seen.insert(id).second) ids.push_back(id);
        }
    }
};

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

std::vector<LiveNotice> merge_by_account(const std::vector<LiveNotice>& notices) {
    std::vector<LiveNotice> merged;
    merged.reserve(notices.size());  // no reallocation: the UniqueIds below refer into its elements
    std::vector<std::array<UniqueIds, 3>> lists;
    std::unordered_map<std::string, std::size_t> index_of;  // account → its place in `merged`
    for (const auto& notice : notices) {
        auto [found, added] = index_of.try_emplace(notice.account_id, merged.size());
        if (added) {
            auto& into = merged.emplace_back(LiveNotice{notice.account_id, {}, {}, {}});
            lists.push_back({UniqueIds{into.created_message_ids, {}}, UniqueIds{into.updated_message_ids, {}},
                             UniqueIds{into.conversation_ids, {}}});
        }
        auto& into = merged[found->second];
        auto& [created, updated, conversations] = lists[found->second];
        created.append(notice.created_message_ids);
        updated.append(notice.updated_message_ids);
        conversations.append(notice.conversation_ids);
        into.jobs_queued = into.jobs_queued || notice.jobs_queued;
    }
    return merged;
}

}  // namespace inbox::storage
