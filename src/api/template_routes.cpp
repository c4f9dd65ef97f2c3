#include "inbox/api/template_routes.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/api/query_params.hpp"
#include "inbox/api/upstream_errors.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/template_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;
using nlohmann::json;

Response template_list_response(const std::optional<std::vector<domain::StoredTemplate>>& templates) {
    if (!templates) throw ApiError::not_found("account not found");
    http::JsonWriter out;
    out.begin_object();
    write_data(out, *templates, write_template);
    out.end_object();
    return http::json_text_response(Status::ok, out.take());
}

Response sync_response(const services::TemplateSyncResult& result) {
    using Outcome = services::TemplateSyncResult::Outcome;
    switch (result.outcome) {
        case Outcome::synced:
            return http::json_response(Status::ok, {{"synced", result.synced}});
        case Outcome::not_found:
            throw ApiError::not_found("account not found");
        case Outcome::refused:
            throw upstream_error(*result.refusal);
        case Outcome::unavailable:
            throw upstream_unavailable(*result.unavailable);
    }
    throw ApiError::not_found("account not found");
}

}  // namespace

void register_template_routes(http::Router& router, services::TemplateService& templates) {
    router.add(http::Verb::get, "/accounts/{account_id}/templates",
               [&templates](Request& request) -> boost::asio::awaitable<Response> {
                   auto account_id = path_uuid(request, "account_id", "account");
                   auto listed = co_await templates.list(*request.user_id, std::move(account_id));
                   co_return template_list_response(listed);
               });

    // No body: the sync takes nothing but the account, so no Content-Type is required either.
    router.add(http::Verb::post, "/accounts/{account_id}/templates/sync",
               [&templates](Request& request) -> boost::asio::awaitable<Response> {
                   auto account_id = path_uuid(request, "account_id", "account");
                   auto result = co_await templates.sync(*request.user_id, std::move(account_id));
                   co_return sync_response(result);
               });
}

}  // namespace inbox::api
