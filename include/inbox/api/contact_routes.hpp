#pragma once
// GET /contacts/{contact_id}/whatsapp-info (API.md "Contacts").
namespace inbox::http {
class Router;
}
namespace inbox::services {
class ContactService;
}

namespace inbox::api {

void register_contact_routes(http::Router& router, services::ContactService& contacts);

}  // namespace inbox::api
