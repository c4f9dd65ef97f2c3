#pragma once
// POST /accounts/{account_id}/uploads?filename=F: the raw file as the body, its MIME type as Content-Type (API.md
// Part 2, "Uploads and outbound media"). The body is streamed into the media store, up to 100 MiB.
namespace inbox::http {
class Router;
}
namespace inbox::services {
class UploadService;
}

namespace inbox::api {

void register_upload_routes(http::Router& router, services::UploadService& uploads);

}  // namespace inbox::api
