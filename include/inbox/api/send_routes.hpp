#pragma once
// POST /messages/send and POST /messages/send-with-auto-template (API.md "Sending").
namespace inbox::http {
class Router;
}
namespace inbox::services {
class SendService;
}

namespace inbox::api {

void register_send_routes(http::Router& router, services::SendService& sends);

}  // namespace inbox::api
