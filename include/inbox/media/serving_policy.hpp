#pragma once
// How a stored file is offered to a browser from our own origin (API.md Part 2 "media serving"). The bytes are a
// customer's (or an agent's upload): an HTML or SVG "document" served inline from the origin of the web inbox would
// run its scripts with an agent's session. So:
//   - only images, audio and video that browsers render without script are inline, with their own type;
//   - everything else is an attachment (with its file name when known), typed as itself only when it is a document
//     type WhatsApp accepts for uploads, and as application/octet-stream otherwise;
//   - every answer says `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox; default-src 'none'`
//     (headers_for_media() sets both; see the route).
// Pure: no I/O, unit-tested.
#include <optional>
#include <string>
#include <string_view>

namespace inbox::media {

struct ServingPolicy {
    std::string content_type;
    std::string content_disposition;  // "inline" or "attachment[; filename=...; filename*=UTF-8''...]"
};

inline constexpr std::string_view kMediaContentSecurityPolicy = "sandbox; default-src 'none'";

// `mime_type` as stored (parameters allowed, any case); `filename` as the sender named it, if at all.
ServingPolicy serving_policy(std::string_view mime_type, const std::optional<std::string>& filename);

// The MIME type without parameters, lower-case ("Audio/OGG; codecs=opus" → "audio/ogg").
std::string essence_of(std::string_view mime_type);

// The document types WhatsApp accepts for uploads (PDF, plain text, the Office types).
bool is_upload_document_type(std::string_view essence);

}  // namespace inbox::media
