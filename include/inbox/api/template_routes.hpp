#pragma once
// GET /accounts/{account_id}/templates and POST /accounts/{account_id}/templates/sync.
namespace inbox::http {
class Router;
}
namespace inbox::services {
class TemplateService;
}

namespace inbox::api {

void register_template_routes(http::Router& router, services::TemplateService& templates);

}  // namespace inbox::api
