#include "inbox/api/account_routes.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/storage/account_repository.hpp"

namespace inbox::api {

void register_account_routes(http::Router& router, storage::AccountRepository& accounts) {
    router.add(http::Verb::get, "/accounts", [&accounts](http::Request& request) -> boost::asio::awaitable<http::Response> {
        auto rows = co_await accounts.accounts_of_user(*request.user_id);
        auto data = nlohmann::json::array();
        for (const auto& account : rows) data.push_back(account_json(account));
        co_return http::json_response(http::Status::ok, {{"data", data}});
    });
}

}  // namespace inbox::api
