#pragma once
// What the Graph calls answer, once parsed: plain data, no JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inbox::graph {

// Who a message goes to, and what rides along with any kind of message sent.
struct MessageEnvelope {
    std::string to;                            // the customer's number
    std::optional<std::string> reply_to;       // `context.message_id`: the wamid this message answers
    std::optional<std::string> callback_data;  // `biz_opaque_callback_data`: Meta echoes it in the status webhooks
};

struct SentMessage {
    std::string wamid;
};

// POST /{phone-number-id}/media: Meta's id for uploaded bytes, usable in sends from that number for 30 days.
struct UploadedMedia {
    std::string id;
};

// A file of the media store to upload (multipart, streamed from `path`).
struct MediaFile {
    std::string path;
    std::uint64_t size = 0;
    std::string mime_type;
    std::string filename;  // the multipart part's filename (never empty)
};

// A media message by uploaded id: `kind` is image, video, audio, document or sticker.
struct OutboundMedia {
    std::string kind;
    std::string media_id;
    std::optional<std::string> caption;   // not for audio and stickers
    std::optional<std::string> filename;  // documents
};

// GET /{media-id}. The URL lives ~5 minutes and needs the same bearer token.
struct MediaMeta {
    std::string id;
    std::string url;
    std::string mime_type;
    std::string sha256;  // as Meta sent it: hex or base64 (see auth::decode_sha256_digest)
    std::uint64_t file_size = 0;
};

// A completed download_media: the file at the requested path holds exactly these bytes.
struct MediaDownload {
    std::uint64_t bytes = 0;
    std::string sha256_hex;  // of the bytes written, lower-case
    std::string content_type;
};

struct MessageTemplate {
    std::string id;
    std::string name;
    std::string language;
    std::string status;       // APPROVED, PENDING, REJECTED, ...
    std::string category;     // MARKETING, UTILITY, AUTHENTICATION
    std::string body_text;    // the BODY component's text, empty when none
    int parameter_count = 0;  // distinct {{n}} placeholders in body_text
};

struct CreatedTemplate {
    std::string id;
    std::string status;
    std::string category;
};

struct ContactProfile {
    std::string wa_id;
    std::string profile_name;
};

}  // namespace inbox::graph
