#include "inbox/services/template_service.hpp"

#include <spdlog/spdlog.h>

#include "inbox/graph/graph_api.hpp"

namespace inbox::services {
namespace {

std::vector<storage::SyncedTemplate> to_synced(const std::vector<graph::MessageTemplate>& listed) {
    std::vector<storage::SyncedTemplate> templates;
    templates.reserve(listed.size());
    for (const auto& t : listed) {
        templates.push_back({t.id, t.name, t.language, t.category, t.status, t.body_text, t.parameter_count});
    }
    return templates;
}

TemplateSyncResult failure_of(const graph::GraphResult<std::vector<graph::MessageTemplate>>& listed) {
    TemplateSyncResult result;
    if (const auto* refusal = listed.refused()) {
        result.outcome = TemplateSyncResult::Outcome::refused;
        result.refusal = *refusal;
    } else {
        result.outcome = TemplateSyncResult::Outcome::unavailable;
        result.unavailable = *listed.unavailable();
    }
    return result;
}

TemplateSyncResult synced(std::size_t count) {
    TemplateSyncResult result;
    result.outcome = TemplateSyncResult::Outcome::synced;
    result.synced = count;
    return result;
}

}  // namespace

boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> TemplateService::list(
    std::string user_id, std::string account_id) {
    co_return co_await templates_.list(std::move(user_id), std::move(account_id));
}

boost::asio::awaitable<TemplateSyncResult> TemplateService::sync(std::string user_id, std::string account_id) {
    auto credentials = co_await templates_.graph_credentials(user_id, account_id);
    if (!credentials) co_return TemplateSyncResult{};
    auto listed = co_await graph_.list_templates(credentials->waba_id, credentials->access_token);
    credentials.reset();  // the token is not needed any more
    if (!listed) {
        spdlog::info("templates sync of account {}: the Graph call failed", account_id);
        co_return failure_of(listed);
    }
    std::size_t count = 0;
    if (!listed.value().empty()) {
        count = co_await templates_.upsert(user_id, account_id, to_synced(listed.value()));
    }
    spdlog::info("templates sync of account {}: {} templates", account_id, count);
    co_return synced(count);
}

}  // namespace inbox::services
