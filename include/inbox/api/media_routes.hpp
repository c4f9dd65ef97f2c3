#pragma once
// GET /messages/media/{message_id}?wait=S, GET|HEAD /media/{key}?expires&sig (signed, no bearer token) and
// POST /messages/check-media/{conversation_id} (API.md "Media").
namespace inbox::http {
class Router;
}
namespace inbox::services {
class MediaService;
}

namespace inbox::api {

void register_media_routes(http::Router& router, services::MediaService& media);

}  // namespace inbox::api
