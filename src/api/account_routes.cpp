#include "inbox/api/account_routes.hpp"

#include "inbox/api/json_views.hpp"
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

}  // namespace

void register_account_routes(http::Router& router, storage::AccountRepository& accounts) {
    router.add(http::Verb::get, "/accounts", [&accounts](http::Request& request) -> boost::asio::awaitable<http::Response> {
        auto rows = co_await accounts.accounts_of_user(*request.user_id);
        co_return account_list_response(rows);
    });
}

}  // namespace inbox::api
