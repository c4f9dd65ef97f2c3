#include "inbox/storage/live_notice.hpp"

#include <nlohmann/json.hpp>

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

// Appends the ids not seen yet, keeping their order (a set beside the list: a burst may fold thousands).
void append_unseen(std::vector<std::string>& into, std::unordered_set<std::string>& seen,
                   const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
        if (seen.insert(id).second) into.push_back(id);
    }
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

std::optional<MembershipNotice> decode_membership_notice(std::string_view payload) {
    auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("members_removed")) return std::nullopt;
    auto account = json.find("account_id");
    if (account == json.end() || !account->is_string()) return std::nullopt;
    return MembershipNotice{account->get<std::string>(), ids_or_empty(json, "members_removed")};
}

std::vector<LiveNotice> merge_by_account(const std::vector<LiveNotice>& notices) {
    struct Folded {
        LiveNotice notice;
        std::unordered_set<std::string> created, updated, conversations;  // ids already in `notice`
    };
    std::vector<Folded> folded;
    std::unordered_map<std::string, std::size_t> index_of;  // account → its place in `folded`
    for (const auto& notice : notices) {
        auto [found, added] = index_of.try_emplace(notice.account_id, folded.size());
        if (added) folded.push_back({LiveNotice{notice.account_id, {}, {}, {}}, {}, {}, {}});
        auto& into = folded[found->second];
        append_unseen(into.notice.created_message_ids, into.created, notice.created_message_ids);
        append_unseen(into.notice.updated_message_ids, into.updated, notice.updated_message_ids);
        append_unseen(into.notice.conversation_ids, into.conversations, notice.conversation_ids);
        into.notice.jobs_queued = into.notice.jobs_queued || notice.jobs_queued;
    }
    std::vector<LiveNotice> merged;
    merged.reserve(folded.size());
    for (auto& each : folded) merged.push_back(std::move(each.notice));
    return merged;
}

}  // namespace inbox::storage
