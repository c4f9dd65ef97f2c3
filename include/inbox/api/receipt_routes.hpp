#pragma once
// POST /conversations/{conversation_id}/typing (API.md Part 2, "Read receipts and typing").
namespace inbox::http {
class Router;
}
namespace inbox::services {
class ReadReceipts;
}

namespace inbox::api {

void register_receipt_routes(http::Router& router, services::ReadReceipts& receipts);

}  // namespace inbox::api
