#include "inbox/services/template_service.hpp"

#include <spdlog/spdlog.h>

#include "inbox/domain/time.hpp"
#include "inbox/graph/graph_api.hpp"

namespace inbox::services {
namespace {

std::vector<storage::SyncedTemplate> to_synced(const std::vector<graph::MessageTemplate>& listed) {
    std::vector<storage::SyncedTemplate> templates;
    templates.reserve(listed.size());
    for (const auto& t : listed) {
        templates.push_back(
            {t.id, t.name, t.language, t.category, t.status, t.body_text, t.parameter_count, t.components_json});
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

// "inbox_reengagement_20261203": Meta keeps a rejected name, so each day's submission gets its own.
std::string reengagement_template_name(domain::TimePoint now) {
    auto date = domain::to_rfc3339(now).substr(0, 10);
    std::erase(date, '-');
    return kReengagementTemplatePrefix + date;
}

storage::SyncedTemplate submitted_row(const graph::CreatedTemplate& accepted, const std::string& name) {
    return {accepted.id,
            name,
            kReengagementTemplateLanguage,
            accepted.category.empty() ? kReengagementTemplateCategory : accepted.category,
            accepted.status.empty() ? "PENDING" : accepted.status,
            kReengagementTemplateBody,
            1,
            ""};
}

}  // namespace

boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> TemplateService::list(
    std::string user_id, std::string account_id) {
    co_return co_await templates_.list(std::move(user_id), std::move(account_id));
}

boost::asio::awaitable<std::optional<domain::StoredTemplate>> TemplateService::find(std::string account_id,
                                                                                   std::string name,
                                                                                   std::string language) {
    co_return co_await templates_.find(std::move(account_id), std::move(name), std::move(language));
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

boost::asio::awaitable<TemplateSubmission> TemplateService::submit_reengagement_template(std::string account_id,
                                                                                         domain::TimePoint now) {
    auto credentials = co_await templates_.claim_daily_submission(account_id);
    if (!credentials) co_return TemplateSubmission::already_today;
    const auto name = reengagement_template_name(now);
    auto created = co_await graph_.create_template(credentials->waba_id, credentials->access_token, name,
                                                   kReengagementTemplateLanguage, kReengagementTemplateCategory,
                                                   kReengagementTemplateBody);
    credentials.reset();
    if (created.unavailable()) {
        spdlog::warn("account {}: re-engagement template not submitted ({}), a later send retries", account_id,
                     created.unavailable()->reason);
        co_await templates_.release_daily_submission(account_id);
        co_return TemplateSubmission::unavailable;
    }
    if (created.refused()) {
        spdlog::warn("account {}: Meta refused the re-engagement template: code {} {}", account_id,
                     created.refused()->code, created.refused()->title);
        co_return TemplateSubmission::refused;
    }
    co_await templates_.store_submitted(account_id, submitted_row(created.value(), name));
    spdlog::info("account {}: re-engagement template {} submitted for review", account_id, name);
    co_return TemplateSubmission::submitted;
}

}  // namespace inbox::services
