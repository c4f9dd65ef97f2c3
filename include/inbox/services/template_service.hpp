#pragma once
// An account's message templates: listing what is stored, and syncing it from the Graph API.
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/stored_template.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/graph/graph_result.hpp"
#include "inbox/storage/template_repository.hpp"

namespace inbox::graph {
class GraphApi;
}

namespace inbox::services {

struct TemplateSyncResult {
    enum class Outcome { synced, not_found, refused, unavailable };
    Outcome outcome = Outcome::not_found;
    std::size_t synced = 0;                              // synced: rows written
    std::optional<graph::GraphRefusal> refusal;          // refused: Meta's answer
    std::optional<graph::GraphUnavailable> unavailable;  // unavailable: why, and when to retry
};

// The template the auto-template send submits for review when an account has none it can use outside the window.
// Its body has text around its one parameter (Meta rejects a body that is only a parameter).
inline constexpr const char* kReengagementTemplatePrefix = "inbox_reengagement_";  // + yyyymmdd: a new name a day
inline constexpr const char* kReengagementTemplateLanguage = "en_US";
inline constexpr const char* kReengagementTemplateCategory = "UTILITY";
inline constexpr const char* kReengagementTemplateBody =
    "Hello, this is a reply to your conversation with us: {{1}} Reply to this message to continue.";

enum class TemplateSubmission {
    submitted,      // Meta accepted it for review; stored as PENDING
    already_today,  // this account had one submitted in the last 24 h (by any instance)
    refused,        // Meta refused it (kept as the day's submission: trying again would be refused again)
    unavailable,    // never reached Meta: the day's submission is given back
};

class TemplateService {
public:
    TemplateService(storage::TemplateRepository& templates, graph::GraphApi& graph)
        : templates_(templates), graph_(graph) {}

    // nullopt: the account does not exist or the user is not a member.
    boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> list(std::string user_id,
                                                                                    std::string account_id);

    // For the send path, which has checked the caller's membership: the account's template of that name and
    // language (any status).
    boost::asio::awaitable<std::optional<domain::StoredTemplate>> find(std::string account_id, std::string name,
                                                                       std::string language);

    // Lists every template of the account's WABA on the Graph API and upserts them (two statements around one
    // Graph walk). Templates no longer listed by Meta are kept.
    boost::asio::awaitable<TemplateSyncResult> sync(std::string user_id, std::string account_id);

    // For the send path, which has checked the caller's membership: one re-engagement template submitted for
    // review, at most once per account and day.
    boost::asio::awaitable<TemplateSubmission> submit_reengagement_template(std::string account_id,
                                                                            domain::TimePoint now);

private:
    storage::TemplateRepository& templates_;
    graph::GraphApi& graph_;
};

}  // namespace inbox::services
