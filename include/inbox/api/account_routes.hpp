#pragma once
// GET /accounts: the caller's accounts.
namespace inbox::http {
class Router;
}
namespace inbox::storage {
class AccountRepository;
}

namespace inbox::api {

void register_account_routes(http::Router& router, storage::AccountRepository& accounts);

}  // namespace inbox::api
