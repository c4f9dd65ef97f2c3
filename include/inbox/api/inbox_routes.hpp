#pragma once
// The inbox REST reads: conversation list, one conversation, message pages, and marking a conversation read.
namespace inbox::http {
class Router;
}
namespace inbox::services {
class InboxService;
}

namespace inbox::api {

void register_inbox_routes(http::Router& router, services::InboxService& inbox);

}  // namespace inbox::api
