#pragma once
// GET/HEAD "/", "/app/{file}" and "/openapi.yaml": the web inbox and the API's OpenAPI document, from memory.
namespace inbox::http {
class Router;
}
namespace inbox::web {
class StaticSite;
}

namespace inbox::api {

// Registers only what `site` holds: without WEB_DIR, "/" stays an unknown route (404).
void register_web_routes(http::Router& router, const web::StaticSite& site);

}  // namespace inbox::api
