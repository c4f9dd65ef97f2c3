#pragma once
// GET /webhook/whatsapp (Meta's verification handshake) and POST /webhook/whatsapp (deliveries).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace inbox::http {
class Router;
}
namespace inbox::services {
class WebhookIngestor;
}

namespace inbox::api {

struct WebhookSettings {
    std::vector<std::string> app_secrets;
    std::string verify_token;
    // Called after a delivery is committed (background processing picks it up from here).
    std::function<void(std::int64_t event_id)> on_committed;
};

void register_webhook_routes(http::Router& router, services::WebhookIngestor& ingestor, WebhookSettings settings);

}  // namespace inbox::api
