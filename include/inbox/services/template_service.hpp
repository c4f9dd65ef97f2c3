#pragma once
// An account's message templates: listing what is stored, and syncing it from the Graph API.
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/stored_template.hpp"
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

class TemplateService {
public:
    TemplateService(storage::TemplateRepository& templates, graph::GraphApi& graph)
        : templates_(templates), graph_(graph) {}

    // nullopt: the account does not exist or the user is not a member.
    boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> list(std::string user_id,
                                                                                    std::string account_id);

    // Lists every template of the account's WABA on the Graph API and upserts them (two statements around one
    // Graph walk). Templates no longer listed by Meta are kept.
    boost::asio::awaitable<TemplateSyncResult> sync(std::string user_id, std::string account_id);

private:
    storage::TemplateRepository& templates_;
    graph::GraphApi& graph_;
};

}  // namespace inbox::services
