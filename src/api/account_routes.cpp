#include "inbox/api/account_routes.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/api/query_params.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/storage/account_repository.hpp"

namespace inbox::api {
namespace {

http::Response account_list_response(const std::vector<domain::Account>& accounts) {
    http::JsonWriter out;
    out.begin_object();
    write_data(out, accounts, write_account);
    out.end_object();
    return http::json_text_response(http::Status::ok, out.take());
}

constexpr std::size_t kMaxAccountName = 200;

// {"read_receipts", "default_template": "name:language" | null, "name"} — any subset; a type or value out of
// place → 422 naming the field.
domain::AccountChanges changes_of(const http::Request& request) {
    using http::ApiError;
    const auto body = http::parse_json_object_body(request);
    domain::AccountChanges changes;
    if (const auto name = body.find("name"); name != body.end()) {
        if (!name->is_string() || name->get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos ||
            name->get_ref<const std::string&>().size() > kMaxAccountName) {
            throw ApiError::validation_failed("name must be a non-blank string of at most 200 characters");
        }
        changes.name = name->get<std::string>();
    }
    if (const auto policy = body.find("read_receipts"); policy != body.end()) {
        if (!policy->is_string() || (*policy != "never" && *policy != "on_open" && *policy != "on_reply")) {
            throw ApiError::validation_failed("read_receipts must be never, on_open or on_reply");
        }
        changes.read_receipts = policy->get<std::string>();
    }
    if (const auto templ = body.find("default_template"); templ != body.end()) {
        changes.set_default_template = true;
        if (!templ->is_null()) {
            const auto text = templ->is_string() ? templ->get<std::string>() : std::string();
            const auto colon = text.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
                throw ApiError::validation_failed("default_template must be \"name:language\" (e.g. order_update:en_US) or null");
            }
            changes.default_template = domain::TemplateRef{text.substr(0, colon), text.substr(colon + 1)};
        }
    }
    return changes;
}

http::Response account_update_response(const storage::AccountUpdate& update) {
    using Outcome = storage::AccountUpdate::Outcome;
    if (update.outcome == Outcome::not_found) throw http::ApiError::not_found("account not found");
    if (update.outcome == Outcome::forbidden) {
        throw http::ApiError{http::Status::forbidden, "forbidden", "changing the account needs the admin role"};
    }
    http::JsonWriter out;
    out.begin_object().key("account");
    write_account(out, *update.account);
    out.end_object();
    return http::json_text_response(http::Status::ok, out.take());
}

}  // namespace

void register_account_routes(http::Router& router, storage::AccountRepository& accounts) {
    router.add(http::Verb::get, "/accounts", [&accounts](http::Request& request) -> boost::asio::awaitable<http::Response> {
        auto rows = co_await accounts.accounts_of_user(*request.user_id);
        co_return account_list_response(rows);
    });

    router.add(http::Verb::patch, "/accounts/{account_id}",
               [&accounts](http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto account_id = path_uuid(request, "account_id", "account");
                   auto changes = changes_of(request);
                   auto update = co_await accounts.update(*request.user_id, std::move(account_id), std::move(changes));
                   co_return account_update_response(update);
               });
}

}  // namespace inbox::api
