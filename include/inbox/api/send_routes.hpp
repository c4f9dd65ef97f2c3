#pragma once
// POST /messages/send, POST /messages/send-with-auto-template (API.md "Sending") and POST /messages/send-template
// (Part 2, "Templates with components, and new conversations"), which answers with the conversation too.
namespace inbox::http {
class Router;
}
namespace inbox::services {
class InboxService;
class SendService;
}

namespace inbox::api {

void register_send_routes(http::Router& router, services::SendService& sends, services::InboxService& inbox);

}  // namespace inbox::api
